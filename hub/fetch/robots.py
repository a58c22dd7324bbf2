"""robots.txt as RFC 9309 reads it: 2xx is parsed, 4xx allows everything, and a server
error or an unreachable file disallows everything until the next crawl."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

AGENT = "hub"  # the product token robots.txt rules are matched against


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


@dataclass(frozen=True)
class Rules:
    """What one site's robots.txt allows."""

    parser: RobotFileParser | None  # None: a blanket answer, given by `allow_all`
    allow_all: bool
    why: str = ""  # for a blanket refusal, the reason

    @classmethod
    def from_response(cls, status: int, text: str) -> Rules:
        if 200 <= status < 300:
            parser = RobotFileParser()
            parser.parse(text.splitlines())
            return cls(parser, allow_all=False)
        if 400 <= status < 500:
            return cls(None, allow_all=True)
        return cls(None, allow_all=False, why=f"robots.txt answered HTTP {status}")

    @classmethod
    def unreachable(cls, why: str) -> Rules:
        return cls(None, allow_all=False, why=f"robots.txt unreachable: {why}")

    @property
    def failing(self) -> bool:
        """Whether this is the blanket refusal of a robots.txt that could not be read."""
        return self.parser is None and not self.allow_all

    def allows(self, url: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(AGENT, url)
