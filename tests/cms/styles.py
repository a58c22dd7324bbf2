"""The corpus's thirteen styles, each a function that writes one column's pages."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from hub.demo import county
from hub.demo.world import DemoPost, World
from tests.cms import NOW, ZONE, Column, Item

WORLD = World(seed=11, clock=lambda: NOW)
GBK_HEAD = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
UTF_HEAD = '<meta charset="utf-8">'


def _posts(source_id: str, count: int, skip: int = 0) -> list[DemoPost]:
    return WORLD.latest(county.source(source_id), count, skip)


def _day(post: DemoPost, form: str = "%Y-%m-%d") -> str:
    return post.time.astimezone(ZONE).strftime(form)


def _cut(title: str, size: int) -> str:
    return title if len(title) <= size else title[:size] + "..."


def _paragraphs(post: DemoPost, tag: str = "p", style: str = "") -> str:
    attr = f' style="{style}"' if style else ""
    return "".join(f"<{tag}{attr}>{escape(p)}</{tag}>" for p in post.paragraphs)


def _nav(*names: str) -> str:
    links = "".join(f'<li><a href="/">{n}</a></li>' for n in ("首页", *names))
    return f'<div class="nav"><ul>{links}</ul></div>'


def _hot(prefix: str, posts: list[DemoPost], dated: bool = False) -> str:
    rows = "".join(
        f'<li><a href="{prefix}/hot/{p.num}.html">{escape(_cut(p.title, 12))}</a>'
        + (f"<span>{_day(p, '%m-%d')}</span>" if dated else "")
        + "</li>"
        for p in posts
    )
    return f'<div class="side"><h3>热点排行</h3><ul>{rows}</ul></div>'


def _footer(name: str) -> str:
    return (
        f'<div class="footer"><p>主办单位：{name}　网站标识码：9999000099</p>'
        '<p><a href="/">网站地图</a> | <a href="/">联系我们</a></p></div>'
    )


def _html(head: str, title: str, body: str, meta: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head>{head}<title>{escape(title)}</title>{meta}"
        '<link rel="stylesheet" href="/css/style.css"><script>var _hmt=[];</script></head>'
        f"<body>{body}</body></html>"
    )


def _article(col: Column, post: DemoPost, path: str, page: str, encoding: str = "utf-8") -> None:
    col.page(path, page, encoding)
    col.bodies[path] = "\n".join(post.paragraphs)


def trs_classic() -> Column:
    col = Column(
        "trs-classic",
        "TRS WCM: ul.list, a@title over cut text, 2026-11-30, "
        "createPageHTML(5, 0, ...), .TRS_Editor, meta tags",
        "/trs1/gzdt/index.html",
    )
    posts = _posts("fgj", 40)
    for n, chunk in enumerate((posts[:20], posts[20:])):
        rows = ""
        for p in chunk:
            path = f"/trs1/gzdt/{_day(p, '%Y%m')}/t{_day(p, '%Y%m%d')}_{p.num}.html"
            rows += (
                f'<li><a href="./{path.split("/", 3)[3]}" title="{escape(p.title)}" '
                f'target="_blank">{escape(_cut(p.title, 16))}</a><span>{_day(p)}</span></li>'
            )
            if n == 0:
                col.items.append(Item(p.title, path, _day(p)))
            meta = (
                f'<meta name="ArticleTitle" content="{escape(p.title)}">'
                f'<meta name="PubDate" content="{_day(p, "%Y-%m-%d %H:%M")}">'
                '<meta name="ContentSource" content="县发展和改革局">'
            )
            page = _html(
                UTF_HEAD,
                p.title,
                _nav("机构概况", "政务公开")
                + (
                    f'<div class="article"><h1>{escape(p.title)}</h1><div class="info">发布时间：'
                    f"{_day(p, '%Y-%m-%d %H:%M')} 来源：县发展和改革局 【字号：大 中 小】</div>"
                    '<div class="TRS_Editor"><style>.TRS_Editor P{line-height:2}</style>'
                    f'<div class="Custom_UnionStyle">{_paragraphs(p)}</div></div>'
                    '<div class="share">分享到：<a href="#">微信</a></div></div>'
                )
                + _footer("县发展和改革局"),
                meta,
            )
            _article(col, p, path, page)
        script = f'<script>createPageHTML(5, {n}, "index", "html");</script>'
        body = (
            _nav("机构概况", "政务公开", "办事服务")
            + f'<div class="main"><div class="column-title">工作动态</div><ul class="list">{rows}'
            f'</ul><div class="page">{script}</div></div>'
            + _hot("/trs1", _posts("jtj", 6))
            + _footer("县发展和改革局")
        )
        col.page(
            "/trs1/gzdt/index.html" if n == 0 else f"/trs1/gzdt/index_{n}.html",
            _html(UTF_HEAD, "工作动态_桐溪县发展和改革局", body),
        )
    return col


def trs_gbk() -> Column:
    col = Column(
        "trs-gbk",
        "TRS, GBK: ul groups of five, the date first as 2026年11月30日, "
        "a pinned item, newer createPageHTML('page_div', 4, 0, ...)",
        "/trs2/tzgg/index.shtml",
    )
    posts = _posts("sfj", 38)
    pinned = posts[-1]
    for n, chunk in enumerate(([pinned, *posts[:18]], posts[18:36])):
        groups = ""
        for start in range(0, len(chunk), 5):
            lis = ""
            for p in chunk[start : start + 5]:
                path = f"/trs2/tzgg/{_day(p, '%Y%m')}/t{_day(p, '%Y%m%d')}_{p.num}.shtml"
                mark = '<font color="red">[置顶]</font>' if p is pinned else ""
                lis += (
                    f'<li><span class="date">{_day(p, "%Y年%m月%d日")}</span>{mark}'
                    f'<a href="{path}" target="_blank">{escape(p.title)}</a></li>'
                )
                if n == 0:
                    col.items.append(Item(p.title, path, _day(p)))
                page = _html(
                    GBK_HEAD,
                    p.title,
                    (
                        f'<div class="xl-main"><div class="xl-title">{escape(p.title)}</div>'
                        f'<div class="xl-info">发布时间：{_day(p, "%Y年%m月%d日")}　来源：县司法局'
                        '　浏览次数：<span id="count">--</span></div>'
                        f'<div class="TRS_UEDITOR trs_paper_default trs_web">{_paragraphs(p)}</div>'
                        '<div class="xl-bottom"><a href="javascript:window.print()">打印</a>'
                        '<a href="javascript:window.close()">关闭</a></div></div>'
                    )
                    + _footer("县司法局"),
                )
                _article(col, p, path, page, "gbk")
            groups += f"<ul>{lis}</ul>"
        body = (
            _nav("司法动态", "法律服务")
            + f'<div class="list_con">{groups}</div><div id="page_div"></div>'
            f"<script>createPageHTML('page_div',4,{n},'index','shtml',70);</script>"
            + _footer("县司法局")
        )
        col.page(
            "/trs2/tzgg/index.shtml" if n == 0 else f"/trs2/tzgg/index_{n}.shtml",
            _html(GBK_HEAD, "通知公告-桐溪县司法局", body),
            "gbk",
        )
    return col


def hanweb_table() -> Column:
    col = Column(
        "hanweb-table",
        "Hanweb: a table, cut titles with a@title, [11-30] in a "
        "separate cell, 下一页 to ?uid=..&pageNum=2, #zoom, lower-case meta",
        "/hw1/col/col1234/index.html",
    )
    posts = _posts("czj", 30)
    for n, chunk in enumerate((posts[:15], posts[15:])):
        rows = ""
        for p in chunk:
            path = f"/hw1/art/{_day(p, '%Y/%-m/%-d')}/art_1234_{p.num}.html"
            rows += (
                f'<tr><td width="12"><img src="/images/dot.gif"></td><td><a href="{path}" '
                f'title="{escape(p.title)}" target="_blank">{escape(_cut(p.title, 20))}</a></td>'
                f'<td width="70" align="right">[{_day(p, "%m-%d")}]</td></tr>'
            )
            if n == 0:
                col.items.append(Item(p.title, path, _day(p)))
            meta = (
                f'<meta name="articletitle" content="{escape(p.title)}">'
                f'<meta name="pubdate" content="{_day(p)}">'
                '<meta name="contentsource" content="县财政局">'
            )
            page = _html(
                UTF_HEAD,
                p.title,
                (
                    f'<table width="1000"><tr><td class="title">{escape(p.title)}</td></tr>'
                    f"<tr><td>发布日期：{_day(p, '%Y年%m月%d日')} 信息来源：县财政局</td></tr>"
                    f'<tr><td><div id="zoom">{_paragraphs(p)}</div></td></tr></table>'
                )
                + _footer("县财政局"),
                meta,
            )
            _article(col, p, path, page)
        pager = (
            f'<a href="?uid=4471&pageNum={n + 2}">下一页</a>'
            if n == 0
            else '<a href="?uid=4471&pageNum=1">上一页</a>'
        )
        body = (
            _nav("财政动态", "预决算公开") + f'<table width="100%" cellspacing="0">{rows}</table>'
            f'<div class="pager">共2页 {pager}</div>' + _footer("县财政局")
        )
        col.page(
            "/hw1/col/col1234/index.html" + (f"?uid=4471&pageNum={n + 1}" if n else ""),
            _html(UTF_HEAD, "财政动态 桐溪县财政局", body),
        )
    return col


def hanweb_jpage() -> Column:
    col = Column(
        "hanweb-jpage",
        "Hanweb jpage, GBK: items as CDATA records in a "
        "<script type=text/xml> datastore, #zoom without meta, 发布日期：",
        "/hw2/col/col5678/index.html",
    )
    posts = _posts("zjj", 15)
    records = ""
    for p in posts:
        path = f"/hw2/art/{_day(p, '%Y/%-m/%-d')}/art_5678_{p.num}.html"
        records += (
            f'<record><![CDATA[<li><a href="{path}" title="{escape(p.title)}" target="_blank">'
            f"{escape(_cut(p.title, 18))}</a><span>{_day(p)}</span></li>]]></record>\n"
        )
        col.items.append(Item(p.title, path, _day(p)))
        page = _html(
            GBK_HEAD,
            p.title,
            (
                f'<div class="main"><h2 class="tit">{escape(p.title)}</h2>'
                f'<p class="source">发布日期：{_day(p)}　信息来源：县住房和城乡建设局　'
                '【<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a>】</p>'
                f'<div id="zoom">{_paragraphs(p)}</div></div>'
            )
            + _footer("县住房和城乡建设局"),
        )
        _article(col, p, path, page, "gbk")
    body = (
        _nav("住建动态", "政策法规")
        + '<div class="bt-list"><div id="42108"><script type="text/xml"><datastore>'
        '<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1"></a>]]>'
        f"</nextgroup><recordset>\n{records}</recordset></datastore></script></div></div>"
        '<script src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>'
        "<script>$('#42108').jpage({dataStore: dataStore, perPage: 15, totalRecord: 58});"
        "</script>" + _footer("县住房和城乡建设局")
    )
    col.page("/hw2/col/col5678/index.html", _html(GBK_HEAD, "住建动态", body), "gbk")
    return col


def table_plain() -> Column:
    col = Column(
        "table-plain",
        "old ASP, GBK: nested tables without a class, 2026/11/30, "
        "下一页 to ?page=2, the body as text between <br> in a <td>",
        "/asp/list.asp?classid=12",
    )
    posts = _posts("nyj", 32)
    for n, chunk in enumerate((posts[:16], posts[16:])):
        rows = ""
        for p in chunk:
            path = f"/asp/show.asp?id={p.num}"
            rows += (
                f'<tr><td width="15">·</td><td height="24"><a href="show.asp?id={p.num}">'
                f'{escape(p.title)}</a></td><td width="90" align="right">{_day(p, "%Y/%m/%d")}'
                "</td></tr>"
            )
            if n == 0:
                col.items.append(Item(p.title, path, _day(p)))
            text = "<br>\n　　".join(escape(x) for x in p.paragraphs)
            page = _html(
                GBK_HEAD,
                p.title,
                (
                    '<table width="960" align="center"><tr><td><img src="/images/banner.jpg">'
                    '</td></tr></table><table width="960" align="center"><tr><td width="200">'
                    '<a href="/">首页</a><br><a href="/">农业新闻</a><br><a href="/">惠农政策</a></td>'
                    f'<td><table width="100%"><tr><td align="center"><b>{escape(p.title)}</b></td></tr>'
                    f'<tr><td align="center">发布时间：{_day(p, "%Y/%m/%d")} 作者：县农业农村局</td></tr>'
                    f"<tr><td>　　{text}</td></tr></table></td></tr></table>"
                ),
            )
            _article(col, p, path, page, "gbk")
        pager = '<a href="list.asp?classid=12&page=2">下一页</a>' if n == 0 else ""
        body = (
            '<table width="960" align="center"><tr><td><img src="/images/banner.jpg"></td></tr>'
            '</table><table width="960" align="center"><tr><td width="200" valign="top">'
            '<a href="/">首页</a><br><a href="/">农业新闻</a><br><a href="/">惠农政策</a></td>'
            f'<td valign="top"><table width="100%">{rows}</table>'
            f'<p align="center">第{n + 1}页 共2页 {pager}</p></td></tr></table>'
        )
        col.page(
            "/asp/list.asp?classid=12" + ("&page=2" if n else ""),
            _html(GBK_HEAD, "农业新闻", body),
            "gbk",
        )
    return col


def div_cards() -> Column:
    col = Column(
        "div-cards",
        "cards: the whole card one link, h3 title, summary, date; "
        "numbered pages ?page=2; <article> body",
        "/xw/bmdt/",
    )
    posts = _posts("swj", 24)
    for n, chunk in enumerate((posts[:12], posts[12:])):
        cards = ""
        for p in chunk:
            path = f"/xw/bmdt/{_day(p, '%Y%m%d')}/{p.num}.html"
            cards += (
                f'<div class="news-item"><a href="{path}"><h3 class="news-title">'
                f'{escape(p.title)}</h3><p class="news-summary">{escape(p.paragraphs[0][:60])}'
                f'</p><div class="news-date">{_day(p)}</div></a></div>'
            )
            if n == 0:
                col.items.append(Item(p.title, path, _day(p)))
            page = _html(
                UTF_HEAD,
                p.title,
                (
                    '<header class="top"><nav><a href="/">首页</a><a href="/xw/">新闻</a></nav></header>'
                    f'<main><article class="detail"><h1>{escape(p.title)}</h1>'
                    f'<div class="meta"><span>发布日期：{_day(p)}</span><span>来源：县商务局</span></div>'
                    f'<div class="detail-body">{_paragraphs(p)}</div></article>'
                    '<aside class="related"><h4>相关阅读</h4><ul><li><a href="/">商务动态</a></li>'
                    "</ul></aside></main>"
                )
                + _footer("县商务局"),
            )
            _article(col, p, path, page)
        pages = "".join(f'<a href="/xw/bmdt/?page={k}">{k}</a>' for k in (1, 2))
        body = (
            '<header class="top"><nav><a href="/">首页</a><a href="/xw/">新闻</a></nav></header>'
            f'<main><div class="news-list">{cards}</div><div class="pagination">{pages}'
            f'<a href="/xw/bmdt/?page={n + 2}">下一页</a></div></main>' + _footer("县商务局")
        )
        col.page("/xw/bmdt/" + (f"?page={n + 1}" if n else ""), _html(UTF_HEAD, "部门动态", body))
    return col


def split_date() -> Column:
    col = Column(
        "split-date",
        "the day and the month printed apart (30 / 2026-11), "
        "list.html then list_2.html, .article-content",
        "/wl/wldt/list.html",
    )
    posts = _posts("rsj", 30)
    for n, chunk in enumerate((posts[:15], posts[15:])):
        lis = ""
        for p in chunk:
            path = f"/wl/wldt/content_{p.num}.html"
            lis += (
                f'<li><div class="time"><span class="day">{_day(p, "%d")}</span>'
                f'<span class="ym">{_day(p, "%Y-%m")}</span></div><div class="txt">'
                f'<a href="content_{p.num}.html">{escape(p.title)}</a>'
                f"<p>{escape(p.paragraphs[0][:40])}</p></div></li>"
            )
            if n == 0:
                col.items.append(Item(p.title, path, _day(p)))
            page = _html(
                UTF_HEAD,
                p.title,
                (
                    f'<div class="crumb">当前位置：<a href="/">首页</a> > <a href="/wl/">人社动态</a></div>'
                    f'<div class="article-title">{escape(p.title)}</div>'
                    f'<div class="article-info">日期：{_day(p)} 来源：县人力资源和社会保障局</div>'
                    f'<div class="article-content">{_paragraphs(p)}</div>'
                    '<div class="prev-next"><p>上一篇：<a href="/">无</a></p></div>'
                )
                + _footer("县人力资源和社会保障局"),
            )
            _article(col, p, path, page)
        pager = (
            f'<a href="list_{n + 2}.html">下一页</a>'
            if n == 0
            else '<a href="list.html">上一页</a>'
        )
        body = (
            _nav("人社动态", "就业创业")
            + f'<div class="wl-list"><ul class="news">{lis}</ul></div><div class="pages">{pager}</div>'
            + _footer("县人力资源和社会保障局")
        )
        col.page(f"/wl/wldt/list{'_2' if n else ''}.html", _html(UTF_HEAD, "人社动态", body))
    return col


def xxgk_table() -> Column:
    col = Column(
        "xxgk-table",
        "信息公开: a table with a header row, 索引号 and 文号 beside "
        "the title and date, index.shtml then index_2.shtml, body found by density",
        "/xxgk/fdzdgk/index.shtml",
    )
    posts = _posts("zrzyj", 30)
    for n, chunk in enumerate((posts[:15], posts[15:])):
        rows = '<tr class="head"><th>索引号</th><th>标题</th><th>发布日期</th><th>文号</th></tr>'
        for k, p in enumerate(chunk):
            path = f"/xxgk/fdzdgk/{_day(p, '%Y%m')}/t{p.num}.shtml"
            rows += (
                f'<tr class="{"odd" if k % 2 else "even"}"><td>11330000MB0000000X/'
                f'{_day(p, "%Y")}-{p.num % 100000:05d}</td><td class="bt"><a href="{path}" '
                f'target="_blank">{escape(p.title)}</a></td><td>{_day(p)}</td>'
                f"<td>桐自然资发〔{_day(p, '%Y')}〕{k + 3}号</td></tr>"
            )
            if n == 0:
                col.items.append(Item(p.title, path, _day(p)))
            page = _html(
                UTF_HEAD,
                p.title,
                (
                    '<div class="xxgk-head"><table><tr><td>索引号：11330000MB0000000X/'
                    f"{_day(p, '%Y')}-{p.num % 100000:05d}</td><td>发布机构：县自然资源局</td></tr>"
                    f"<tr><td>成文日期：{_day(p)}</td><td>发布日期：{_day(p)}</td></tr>"
                    f'<tr><td colspan="2">名称：{escape(p.title)}</td></tr></table></div>'
                    f'<div class="main-txt"><h1>{escape(p.title)}</h1>'
                    f'<div class="txt-body">{_paragraphs(p)}</div></div>'
                )
                + _footer("县自然资源局"),
            )
            _article(col, p, path, page)
        pager = (
            f'<a href="index_{n + 2}.shtml">下一页</a>'
            if n == 0
            else '<a href="index.shtml">首页</a>'
        )
        body = (
            _nav("信息公开指南", "法定主动公开内容")
            + f'<table class="xxgk-list" width="100%">{rows}</table><div class="page">{pager}</div>'
            + _footer("县自然资源局")
        )
        col.page(
            f"/xxgk/fdzdgk/index{'_2' if n else ''}.shtml",
            _html(UTF_HEAD, "法定主动公开内容", body),
        )
    return col


def dede_list() -> Column:
    col = Column(
        "dede-list",
        "DedeCMS: title link, a 日期： label and hit count in one span, "
        "an intro, list_5_2.html, .content with 上一篇/下一篇 links",
        "/a/tzgg/",
    )
    posts = _posts("jyj", 20)
    for n, chunk in enumerate((posts[:10], posts[10:])):
        lis = ""
        for p in chunk:
            path = f"/a/tzgg/{_day(p, '%Y%m%d')}/{p.num}.html"
            lis += (
                f'<li><a href="{path}" class="title">{escape(p.title)}</a><span class="info">'
                f"<small>日期：</small>{_day(p)} <small>点击：</small>{p.num % 977}"
                f'</span><p class="intro">{escape(p.paragraphs[0][:50])}...</p></li>'
            )
            if n == 0:
                col.items.append(Item(p.title, path, _day(p)))
            page = _html(
                UTF_HEAD,
                p.title,
                (
                    '<div class="place">当前位置：<a href="/">主页</a> > <a href="/a/tzgg/">通知公告</a></div>'
                    f'<div class="viewbox"><div class="title"><h2>{escape(p.title)}</h2></div>'
                    f'<div class="info"><small>时间:</small>{_day(p)} <small>来源:</small>县教育局</div>'
                    f'<div class="content">{_paragraphs(p)}</div>'
                    '<div class="context"><ul><li>上一篇：<a href="/">教育动态一则</a></li>'
                    '<li>下一篇：<a href="/">没有了</a></li></ul></div></div>'
                )
                + _footer("县教育局"),
            )
            _article(col, p, path, page)
        pager = '<li><a href="list_5_2.html">下一页</a></li>' if n == 0 else ""
        body = (
            _nav("教育动态", "通知公告") + f'<div class="listbox"><ul class="e2">{lis}</ul></div>'
            f'<div class="dede_pages"><ul class="pagelist"><li>1</li>{pager}</ul></div>'
            + _footer("县教育局")
        )
        col.page(
            "/a/tzgg/" + ("list_5_2.html" if n else ""), _html(UTF_HEAD, "通知公告_县教育局", body)
        )
    return col


def pinned_sidebar() -> Column:
    col = Column(
        "pinned-sidebar",
        "two pinned old items, a dated 热点 sidebar, "
        "createPageHTML(countPage, ...) with var countPage, #UCAP-CONTENT",
        "/wsj/gzdt/index.shtml",
    )
    posts = _posts("rmt", 36)
    pinned = posts[-2:]
    for n, chunk in enumerate(([*pinned, *posts[:15]], posts[15:30])):
        lis = ""
        for p in chunk:
            path = f"/wsj/gzdt/{_day(p, '%Y%m')}/t{_day(p, '%Y%m%d')}_{p.num}.shtml"
            mark = '<i class="zd">置顶</i>' if p in pinned else ""
            lis += f'<li>{mark}<a href="{path}">{escape(p.title)}</a><em>{_day(p)}</em></li>'
            if n == 0:
                col.items.append(Item(p.title, path, _day(p)))
            page = _html(
                UTF_HEAD,
                p.title,
                (
                    f'<div class="detail"><h1>{escape(p.title)}</h1><div class="laiyuan">'
                    f"发布时间：{_day(p, '%Y-%m-%d %H:%M:%S')} 来源：县融媒体中心</div>"
                    f'<div id="UCAP-CONTENT">{_paragraphs(p)}</div></div>'
                )
                + _footer("县卫生健康局"),
            )
            _article(col, p, path, page)
        body = (
            _nav("卫健动态", "健康科普")
            + f'<div class="lby"><div class="lby-list"><ul>{lis}</ul></div>'
            "<script>var countPage = 7//共多少页\nvar currentPage = "
            f'{n};createPageHTML(countPage, currentPage, "index", "shtml");</script></div>'
            + _hot("/wsj", _posts("slj", 9), dated=True)
            + _footer("县卫生健康局")
        )
        col.page(
            f"/wsj/gzdt/index{f'_{n}' if n else ''}.shtml",
            _html(UTF_HEAD, "工作动态 - 桐溪县卫生健康局", body),
        )
    return col


def cut_no_title() -> Column:
    col = Column(
        "cut-no-title",
        "a category link before each title, titles cut with ... "
        "and no title=, (2026-11-30), index_2.htm by 下一页, the title only in "
        "<title> and an <h2>, attachments under the body",
        "/zwgk/zhxx/index.htm",
    )
    posts = _posts("jtj", 26)
    for n, chunk in enumerate((posts[:13], posts[13:])):
        lis = ""
        for p in chunk:
            path = f"/zwgk/zhxx/{_day(p, '%Y-%m')}/{p.num}.htm"
            kind = "通知公告" if p.topic == "tongzhi" else "工作动态"
            lis += (
                f'<li><a class="lm" href="/zwgk/{p.topic}/">[{kind}]</a>'
                f'<a href="{path}" target="_blank">{escape(_cut(p.title, 14))}</a>'
                f'<span class="rq">({_day(p)})</span></li>'
            )
            if n == 0:
                col.items.append(Item(p.title, path, _day(p)))
            col.attachments[path] = [f"/u/cms/{p.num}.pdf"]
            files = (
                f'<div class="attach"><p>附件：</p><p><a href="/u/cms/{p.num}.pdf">'
                f"{escape(p.title[:8])}.pdf</a></p></div>"
            )
            page = (
                f"<!DOCTYPE html><html><head>{UTF_HEAD}<title>{escape(p.title)}_桐溪县交通运输局"
                '</title></head><body><div class="top"><a href="/">首页</a> <a href="/zwgk/">政务公开</a>'
                f'</div><div class="wrap"><h2>{escape(p.title)}</h2><div class="sj">时间：'
                f'{_day(p, "%Y-%m-%d %H:%M:%S")}　浏览：{p.num % 300}次</div><div class="con">'
                f"{_paragraphs(p)}</div>{files}</div>" + _footer("县交通运输局") + "</body></html>"
            )
            _article(col, p, path, page)
        pager = (
            f'<a href="index_{n + 2}.htm">下一页</a>'
            if n == 0
            else '<a href="index.htm">上一页</a>'
        )
        body = (
            _nav("交通动态", "通知公告")
            + f'<div class="zhxx"><ul>{lis}</ul></div><div class="fy">{pager} 尾页</div>'
            + _footer("县交通运输局")
        )
        col.page(
            f"/zwgk/zhxx/index{'_2' if n else ''}.htm",
            _html(UTF_HEAD, "综合信息_桐溪县交通运输局", body),
        )
    return col


def short_column() -> Column:
    col = Column(
        "short-column",
        "a column of four short notices with attachments beside a "
        "ten-item dated 最新动态 sidebar; the footer longer than a notice",
        "/ybj/tzgg/index.html",
    )
    posts = _posts("ybj", 4)
    side = _posts("gaj", 10)
    lis = ""
    for p in posts:
        path = f"/ybj/tzgg/{_day(p, '%Y%m')}/t{p.num}.html"
        lis += f'<li><a href="{path}" title="{escape(p.title)}">{escape(p.title)}</a><span>{_day(p)}</span></li>'
        col.items.append(Item(p.title, path, _day(p)))
        notice = f"现将《{p.title[:10]}》印发给你们，请认真贯彻执行。"
        col.attachments[path] = [f"/ybj/files/{p.num}.pdf"]
        page = _html(
            UTF_HEAD,
            p.title,
            (
                f'<div class="detail"><h1>{escape(p.title)}</h1><div class="info">发布时间：'
                f'{_day(p)} 10:00　来源：县医疗保障局</div><div class="TRS_Editor"><p>{notice}</p>'
                f'<p>附件：<a href="/ybj/files/{p.num}.pdf">{escape(p.title[:8])}.pdf</a></p></div></div>'
            )
            + _footer("县医疗保障局").replace(
                "</div>",
                "<p>地址：桐溪县人民路1号　电话：0000-12345678　"
                "邮编：999999　技术支持：桐溪县大数据发展中心</p></div>",
                1,
            ),
        )
        col.page(path, page)
        col.bodies[path] = f"{notice}\n附件：{p.title[:8]}.pdf"
    rows = "".join(
        f'<li><a href="/ybj/zxdt/{p.num}.html">{escape(p.title)}</a><span>{_day(p, "%m-%d")}</span></li>'
        for p in side
    )
    body = (
        _nav("医保动态", "通知公告")
        + f'<div class="main"><h2>通知公告</h2><ul class="tzgg">{lis}</ul></div>'
        + f'<div class="side"><h3>最新动态</h3><ul>{rows}</ul></div>'
        + _footer("县医疗保障局")
    )
    col.page(col.list_path, _html(UTF_HEAD, "通知公告_县医疗保障局", body))
    return col


def date_in_link() -> Column:
    col = Column(
        "date-in-link",
        "the date inside the title's link, [置顶] before two titles, "
        "<base href>, a 更多>> link above a pager of numbers and >>",
        "/xfj/list/index.html",
    )
    posts = _posts("xfj", 24)
    for n, chunk in enumerate((posts[:12], posts[12:])):
        lis = ""
        for k, p in enumerate(chunk):
            path = f"/xfj/content/{p.num}.html"
            mark = "[置顶]" if n == 0 and k < 2 else ""
            lis += (
                f'<li><a href="content/{p.num}.html">{mark}{escape(p.title)}'
                f'<span class="time">{_day(p)}</span></a></li>'
            )
            if n == 0:
                col.items.append(Item(p.title, path, _day(p)))
            page = _html(
                UTF_HEAD,
                p.title,
                (
                    f'<div class="con"><h1>{escape(p.title)}</h1><p class="date">发布日期：{_day(p)}</p>'
                    f'<div class="zw">{_paragraphs(p)}</div></div>'
                )
                + _footer("县消防救援大队"),
            )
            _article(col, p, path, page)
        # relative to <base href="/xfj/">, as a browser reads them
        pager = "".join(f'<a href="list/index_{k}.html">{k}</a>' for k in (2, 3))
        body = (
            '<div class="box"><h3>工作动态</h3><a class="more" href="/xfj/more/">更多>></a></div>'
            f'<div class="lists"><ul>{lis}</ul></div>'
            f'<div class="pager"><span>1</span>{pager}<a href="list/index_{n + 2}.html">>></a></div>'
            + _footer("县消防救援大队")
        )
        # the list's links resolve against <base href>, one folder up from the page
        page_html = _html(UTF_HEAD, "工作动态", body).replace(
            "<head>", '<head><base href="/xfj/">', 1
        )
        col.page(f"/xfj/list/index{f'_{n + 1}' if n else ''}.html", page_html)
    return col


STYLES: tuple[Callable[[], Column], ...] = (
    trs_classic,
    trs_gbk,
    hanweb_table,
    hanweb_jpage,
    table_plain,
    div_cards,
    split_date,
    xxgk_table,
    dede_list,
    pinned_sidebar,
    cut_no_title,
    short_column,
    date_in_link,
)
