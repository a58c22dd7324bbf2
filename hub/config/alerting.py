"""The `alerts:` section of channels.yaml: where hub tells the editors that a source
failed or came back, a section went stale or a post is held for review (e-mail, 企业微信
and 钉钉 group robots, plain JSON), which kinds it tells, and how often."""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from hub.config.types import Model, Names, Seconds, Url, as_tuple, one_or_many

# What hub tells the editors about; the words are the same in channels.yaml and in the
# JSON it sends.
AlertKind = Literal["source-failing", "source-back", "section-stale", "post-held"]
ALERT_KINDS: tuple[AlertKind, ...] = get_args(AlertKind)
WebhookFormat = Literal["wecom", "dingtalk", "json"]
Security = Literal["starttls", "ssl", "none"]
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _env_name(value: str) -> str:
    if value and not _ENV_NAME.fullmatch(value):
        raise ValueError(
            f"{value!r} is not the name of an environment variable (letters, digits and _); "
            "write the variable's name here, never the secret itself"
        )
    return value


EnvName = Annotated[str, AfterValidator(_env_name)]
Address = Annotated[str, Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")]


class Email(Model):
    """An SMTP server and the editors' addresses."""

    host: str = Field(min_length=1)
    port: int = Field(default=0, ge=0, le=65535)  # 0: 587 (starttls), 465 (ssl), 25 (none)
    security: Security = "starttls"
    username: str = ""
    password_env: EnvName = ""  # the environment variable that holds the password
    sender: Address
    to: Annotated[tuple[Address, ...], BeforeValidator(one_or_many), Field(min_length=1)]

    @model_validator(mode="after")
    def _login(self) -> Email:
        if self.username and not self.password_env:
            raise ValueError("`username:` needs `password_env:`, the variable with its password")
        return self

    @property
    def server_port(self) -> int:
        return self.port or {"starttls": 587, "ssl": 465, "none": 25}[self.security]


class Webhook(Model):
    """A group robot's address (企业微信, 钉钉) or any service that takes JSON."""

    url: Url
    format: WebhookFormat = "json"
    secret_env: EnvName = ""  # 钉钉's 加签 secret (SEC...), by the variable that holds it
    # who is @-mentioned: phone numbers for 钉钉, user ids for 企业微信
    mention: Names = ()

    @model_validator(mode="after")
    def _signed(self) -> Webhook:
        if self.secret_env and self.format != "dingtalk":
            raise ValueError("`secret_env:` is 钉钉's 加签; only `format: dingtalk` signs")
        return self


class Alerts(Model):
    email: Email | None = None
    webhooks: Annotated[tuple[Webhook, ...], BeforeValidator(as_tuple)] = ()
    quiet: Seconds = 6 * 3600.0  # the same alert to the same place at most this often
    events: Annotated[tuple[AlertKind, ...], BeforeValidator(as_tuple)] = ALERT_KINDS
    failures: int = Field(default=1, ge=1, le=100)  # failed crawls in a row: failing
    timeout: Seconds = 10.0  # for each destination, the whole exchange

    @property
    def enabled(self) -> bool:
        return bool((self.email is not None or self.webhooks) and self.events)
