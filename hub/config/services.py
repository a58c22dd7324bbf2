"""The `services:` part of channels.yaml: the county's service catalogue (办事服务) on the
portal, grouped by department and by life event (主题)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator

from hub.config.types import Model, Names, as_tuple

__all__ = ["SECTION", "Services", "Theme"]

SECTION = "banshi"  # the services' value of search's section filter, and their pages' path


class Theme(Model):
    """A life event (户籍, 社保, 医保, 教育, 不动产, ...): a service is in it when its name
    or the catalogue's own topic of it contains the theme's name or one of its words."""

    name: str = Field(min_length=1)
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")  # its page: /banshi/t/SLUG/
    words: Names = ()

    @model_validator(mode="after")
    def _words(self) -> Theme:
        if any(not word.strip() for word in self.words):
            raise ValueError("words must not hold empty strings")
        return self


class Services(Model):
    """How the portal lists the services of the `kind: services` sources (/banshi/)."""

    title: str = Field(default="办事服务", min_length=1)
    themes: Annotated[tuple[Theme, ...], BeforeValidator(as_tuple)] = ()

    @model_validator(mode="after")
    def _unique(self) -> Services:
        slugs = [theme.slug for theme in self.themes]
        twice = sorted({slug for slug in slugs if slugs.count(slug) > 1})
        if twice:
            raise ValueError(f"two themes share the slug {twice[0]!r}")
        return self

    def themes_of(self, name: str, topics: tuple[str, ...]) -> tuple[Theme, ...]:
        """The themes a service of this name and these catalogue topics belongs to."""
        texts = (name, *topics)
        return tuple(
            theme
            for theme in self.themes
            if any(word in text for word in (theme.name, *theme.words) for text in texts)
        )
