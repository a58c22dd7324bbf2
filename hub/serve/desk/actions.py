"""What an editor can do to a post from the desk, who may do it, and how the form's
values are read. Each action is one transaction with its log line (`hub.store.desk`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from hub import pipeline
from hub.config import Config
from hub.decisions import Decision, Role, may
from hub.errors import HubError
from hub.models import Finding, StoredPost
from hub.store import Actor, Store

# the least role each action needs; a higher role may do what a lower one may
NEEDS: dict[str, Role] = {
    "approve": "reviewer",
    "reject": "reviewer",
    "takedown": "editor",
    "restore": "editor",
    "pin": "editor",
    "unpin": "editor",
    "move": "editor",
    "add": "editor",
    "remove": "editor",
    "lead": "editor",
    "unlead": "editor",
    "edit": "editor",
    "merge": "editor",
    "split": "editor",
    "timing": "editor",
    # an editor dismisses what does not hold a post; what holds it, only a reviewer
    # (`pages.action`): dismissing it lets the post out, which is a review
    "dismiss": "editor",
}
TITLE_CHARS, SUMMARY_CHARS, REASON_CHARS = 200, 500, 500


class RefusedError(HubError):
    """The form asked for something that cannot be done; the message says why."""


class DeniedError(HubError):
    """The user's role may not do this to this post (a 403)."""


@dataclass(frozen=True)
class Doing:
    """One action under way: on what, by whom, with which form."""

    config: Config
    store: Store
    actor: Actor
    action: str
    post: StoredPost
    form: Mapping[str, str]
    role: Role = "editor"  # the user's

    @property
    def pid(self) -> str:
        return self.post.post.id

    @property
    def reason(self) -> str:
        return self.form.get("reason", "").strip()[:REASON_CHARS]

    @property
    def sections(self) -> dict[str, str]:
        return {c.slug: c.title for c in self.config.channels}

    def channel(self, key: str = "channel") -> str:
        slug = self.form.get(key, "")
        if slug not in self.sections:
            raise RefusedError(f"choose a section (unknown section {slug!r})")
        return slug

    def moment(self, key: str, name: str) -> datetime | None:
        return _moment(self.form.get(key, ""), self.config.site.zone, name)

    def change(
        self,
        *,
        channel: str = "",
        compute: Callable[[Decision], Mapping[str, Any]] | None = None,
        **values: Any,
    ) -> None:
        self.store.desk.change(
            self.pid,
            self.actor,
            self.action,
            reason=self.reason,
            channel=channel,
            compute=compute,
            **values,
        )


def act(doing: Doing) -> str:
    """Do the action; returns what was done, in words, for the editor."""
    handler = _HANDLERS.get(doing.action)
    if handler is None:
        raise RefusedError(f"unknown action {doing.action!r}")
    return handler(doing)


CHANGED = "这篇稿件在您打开之后又有改动（来源更新或编辑修改），请刷新页面看过新版本再审。"


def _review(doing: Doing) -> str:
    if doing.action == "reject" and not doing.reason:
        raise RefusedError("a rejection needs a reason, for the department and the log")
    verdict = "approved" if doing.action == "approve" else "rejected"
    current = doing.store.desk.decision(doing.pid).version(doing.post.post.hash)
    if doing.form.get("version", "") != current:
        raise RefusedError(CHANGED)
    doing.store.desk.review({doing.pid: current}, doing.actor, verdict, doing.reason)
    return "已通过，门户将在几秒内更新" if verdict == "approved" else "已退回"


def _takedown(doing: Doing) -> str:
    down = doing.action == "takedown"
    doing.change(taken_down=down)
    return "已撤稿：门户、订阅和搜索中都将不再出现" if down else "已恢复"


def _pin(doing: Doing) -> str:
    slug = doing.channel()
    until = doing.moment("until", "until") if doing.action == "pin" else None
    if until is not None and until <= doing.actor.now:
        raise RefusedError("the pin's end is in the past")

    def pins(decision: Decision) -> dict[str, Any]:
        kept = [(s, end) for s, end in decision.pins if s != slug]
        return {"pins": [*kept, (slug, until)] if doing.action == "pin" else kept}

    doing.change(channel=slug, compute=pins)
    return f"已在「{doing.sections[slug]}」" + ("置顶" if doing.action == "pin" else "取消置顶")


def _place(doing: Doing) -> str:
    to = doing.channel("to" if doing.action == "move" else "channel")
    origin = doing.channel("from") if doing.action == "move" else ""
    if origin == to:
        raise RefusedError("the post is already in that section")

    def placed(decision: Decision) -> dict[str, Any]:
        add, remove = list(decision.add), list(decision.remove)
        if origin:
            add = [s for s in add if s != origin]
            remove = [*(s for s in remove if s != origin), origin]
        if doing.action in ("move", "add"):
            remove = [s for s in remove if s != to]
            add = [*(s for s in add if s != to), to]
        else:
            add = [s for s in add if s != to]
            remove = [*(s for s in remove if s != to), to]
        return {"add": add, "remove": remove}

    doing.change(channel=to, compute=placed)
    done = {"move": "已移动到", "add": "已添加到", "remove": "已移出"}[doing.action]
    return f"{done}「{doing.sections[to]}」"


def _lead(doing: Doing) -> str:
    lead = doing.action == "lead"
    doing.store.desk.set_setting("lead", doing.pid if lead else "", doing.actor, doing.action)
    return "已设为头条" if lead else "已取消头条"


def _edit(doing: Doing) -> str:
    title = " ".join(doing.form.get("title", "").split())[:TITLE_CHARS]
    summary = " ".join(doing.form.get("summary", "").split())[:SUMMARY_CHARS]
    doing.change(title="" if title == doing.post.post.title else title, summary=summary)
    return "已保存标题和摘要（原标题保留在稿件页）"


def _merge(doing: Doing) -> str:
    if doing.action == "split":
        doing.change(reprint_of="", not_reprint=True)
        return "已拆分：作为独立稿件显示"
    other = doing.store.find(doing.form.get("of", ""))
    if other is None:
        raise RefusedError("no post with that id or address: paste the original's id or link")
    if other.post.id == doing.pid:
        raise RefusedError("a post cannot be a reprint of itself")
    doing.change(reprint_of=other.post.id, not_reprint=False)
    return "已合并为转载：只在原稿下显示"


def _timing(doing: Doing) -> str:
    show_at = doing.moment("show_at", "publish at")
    hide_at = doing.moment("hide_at", "take down at")
    if show_at and hide_at and hide_at <= show_at:
        raise RefusedError("the take-down time must come after the publish time")
    doing.change(show_at=show_at, hide_at=hide_at)
    return "已保存定时发布和定时下线"


def findings_now(doing: Doing) -> tuple[Finding, ...]:
    """The post's findings as they are now, dismissed ones aside."""
    found = pipeline.checking.findings_for(doing.config, doing.store, [doing.post])
    return found.get(doing.pid, ())


def _dismiss(doing: Doing) -> str:
    """A finding the post has, by its key exactly as the page gave it. One that holds
    the post for review only a reviewer may dismiss: it lets the post out."""
    key = doing.form.get("finding", "")
    found = findings_now(doing)
    if key not in {f.key for f in found}:
        raise RefusedError("choose one of the post's findings to dismiss")
    held = {f.key for f in pipeline.checking.holding(doing.config, found)}
    if key in held and not may(doing.role, "reviewer"):
        raise DeniedError("只有审核员可以忽略使稿件等待审核的问题。")
    if not doing.reason:
        raise RefusedError("dismissing a finding needs a reason, for the log")
    doing.store.desk.dismiss(doing.pid, [key], doing.actor, doing.reason)
    return "已忽略这条检查结果：这篇稿件不再提示"


_HANDLERS: dict[str, Callable[[Doing], str]] = {
    "approve": _review,
    "reject": _review,
    "takedown": _takedown,
    "restore": _takedown,
    "pin": _pin,
    "unpin": _pin,
    "move": _place,
    "add": _place,
    "remove": _place,
    "lead": _lead,
    "unlead": _lead,
    "edit": _edit,
    "merge": _merge,
    "split": _merge,
    "timing": _timing,
    "dismiss": _dismiss,
}


def _moment(value: str, zone: tzinfo, name: str) -> datetime | None:
    """A date (2026-12-31: the start of that day) or a date and time (2026-12-31T18:00,
    as <input type=datetime-local> sends it), in the site's time zone."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise RefusedError(f"{name}: {value!r} is not a date such as 2026-12-31 18:00") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if not 2000 <= moment.year <= 2100:
        raise RefusedError(f"{name}: {value!r} is not a date between 2000 and 2100")
    return moment
