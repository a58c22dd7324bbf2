"""What the desk keeps while it runs: the site's channels.yaml (read again when it
changes on disk), the database, the cookie key, the login limits, the templates and the
publisher."""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime
from importlib.resources import files
from pathlib import Path

from hub import pipeline
from hub.checks.names import describe
from hub.config import Config, Source
from hub.errors import ConfigError
from hub.serve.desk.auth import Cookies, Limits, LoginLimiter
from hub.serve.desk.publisher import Publisher
from hub.site.render import Templates

log = logging.getLogger("hub.desk")

Clock = Callable[[], datetime]
KEY_FILE = "desk.key"


def assets() -> Path:
    return Path(str(files("hub.serve.desk.templates")))


class Desk:
    def __init__(self, config: Config, clock: Clock, limits: Limits | None = None) -> None:
        self._config, self.clock = config, clock
        self._stamp = pipeline.stamp(config.path)
        self.config_error = ""  # why the file on disk is not the one in use
        self._lock = threading.Lock()
        self.store = pipeline.open_store(config)
        self.cookies = Cookies(config.data_dir / KEY_FILE)
        self.limiter = LoginLimiter(clock, limits or Limits())
        self.templates = Templates(
            assets(),
            config.site.zone,
            {"describe": describe},
            site=config.site,
            portal=config.site.base_url,
        )
        self.publisher = Publisher(self.config, self.store, clock)
        self.previews = Previews()  # candidate channels.yaml builds (admins)
        self.detections = Detections()  # sources detected, waiting to be added (admins)

    def config(self) -> Config:
        """channels.yaml as on disk: read again when it changed; a file with a mistake is
        refused and the previous one kept (the desk says why)."""
        with self._lock:
            stamp = pipeline.stamp(self._config.path)
            if stamp != self._stamp:
                self._stamp = stamp
                try:
                    self._config, self.config_error = pipeline.load(self._config.path), ""
                except (ConfigError, OSError) as exc:
                    self.config_error = str(exc)
                    log.error("channels.yaml not reloaded: %s", exc)
            return self._config

    def start(self) -> Desk:
        self.publisher.start()
        return self

    def close(self) -> None:
        self.publisher.stop()
        self.previews.close()
        self.store.close()


KEPT = 3  # previews kept at once; older ones are deleted
DETECTED = 20  # sources detected and not yet added, kept at once


class Detections:
    """Sources detected on the desk, by token, until an admin adds one (or more are
    detected: the oldest go)."""

    def __init__(self) -> None:
        self._found: dict[str, Source] = {}
        self._lock = threading.Lock()

    def put(self, source: Source) -> str:
        token = secrets.token_urlsafe(12)
        with self._lock:
            self._found[token] = source
            while len(self._found) > DETECTED:
                del self._found[next(iter(self._found))]
        return token

    def take(self, token: str) -> Source | None:
        with self._lock:
            return self._found.pop(token, None)


class Previews:
    """Folders of preview builds, by token; the oldest go when more are made."""

    def __init__(self) -> None:
        self._folders: dict[str, Path] = {}
        self._lock = threading.Lock()

    def new(self) -> tuple[str, Path]:
        token = secrets.token_urlsafe(12)
        folder = Path(tempfile.mkdtemp(prefix="hub-preview-"))
        with self._lock:
            self._folders[token] = folder
            while len(self._folders) > KEPT:
                oldest = next(iter(self._folders))
                shutil.rmtree(self._folders.pop(oldest), ignore_errors=True)
        return token, folder

    def folder(self, token: str) -> Path | None:
        with self._lock:
            return self._folders.get(token)

    def close(self) -> None:
        with self._lock:
            for folder in self._folders.values():
                shutil.rmtree(folder, ignore_errors=True)
            self._folders.clear()
