"""The `site:` part of channels.yaml: the portal's name, address and pages, and what a
Chinese government site states on every page (政府网站网页设计规范)."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, field_validator

from hub.config.types import Model, Url, as_tuple

__all__ = ["FOOTER", "Badge", "Site"]


class Badge(Model):
    """A mark in every page's footer, as government sites carry them: an image of the
    site's own (under its templates/static/ folder, or the theme's) linking to a page."""

    link: Url
    image: str = ""  # e.g. static/marks/dzjg.png; none: `text` is shown instead
    text: str = ""  # the image's alternative text (default: the mark's name)

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        parts = value.split("/")
        if value and (
            not re.fullmatch(r"static/[A-Za-z0-9_./-]+\.(png|svg|gif|jpe?g|webp)", value)
            or any(not part or part.startswith(".") for part in parts)  # //, .., .hidden
        ):
            raise ValueError(
                f"{value!r}: an image under static/ in the site's templates/ folder, "
                "such as static/marks/dzjg.png (png, svg, gif, jpg or webp)"
            )
        return value


FOOTER = ("汇集各镇（街道）、各部门发布的信息，原文版权归发布单位所有。",)


class Site(Model):
    title: str
    base_url: Url
    description: str = ""
    language: str = "zh-CN"
    timezone: str = "Asia/Shanghai"
    per_page: int = Field(default=20, ge=1, le=500)
    # pages of a section's or a department's list; older posts are listed by month
    list_pages: int = Field(default=25, ge=1, le=10_000)
    embed_hosts: Annotated[tuple[str, ...], BeforeValidator(as_tuple)] = ()
    # What a Chinese government site states on every page (政府网站网页设计规范):
    organizer: str = ""  # 主办单位
    site_code: str = ""  # 网站标识码
    icp: str = ""  # ICP 备案号, e.g. 示ICP备12345678号
    police: str = ""  # 公安机关备案号, e.g. 示公网安备 12345678901234号
    contact: str = ""  # 联系方式: telephone, e-mail or address
    party_mark: Badge | None = None  # 党政机关网站标识, linked to its record
    error_report: Badge | None = None  # 我为政府网站找错, linked to the site's page there
    footer: Annotated[tuple[str, ...], BeforeValidator(as_tuple)] = FOOTER  # lines, as written
    # the home page: its 头条, when the editors chose none, is the newest post of these
    # sections; `notices` (a section's slug) is the 通知公告 block under it
    short_name: str = ""  # on a phone's home screen (the web app manifest); default: title
    lead_sections: Annotated[tuple[str, ...], BeforeValidator(as_tuple)] = ()
    notices: str = ""

    @property
    def police_record(self) -> str:
        """The page of the 公网安备 record: its number is the digits of `police`."""
        digits = "".join(re.findall(r"\d+", self.police))
        return f"https://beian.mps.gov.cn/#/query/webSearch?code={digits}" if digits else ""

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    def url(self, path: str = "") -> str:
        """The public address of a page, from its path relative to the site root."""
        return self.base_url + path.lstrip("/")

    @field_validator("embed_hosts")
    @classmethod
    def _hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for host in value:
            if not re.fullmatch(
                r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+", host
            ):
                raise ValueError(f"{host!r} is not a host name such as player.bilibili.com")
        return value

    @field_validator("base_url")
    @classmethod
    def _slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Asia/Shanghai)"
            ) from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
