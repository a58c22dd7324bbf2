"""The demo county's service catalogue (政务服务事项目录): a few dozen fictional services
of its departments on a 政务服务网-style list of pages, each leading to its 办事指南.
Names follow the national catalogue's common forms; nothing here is a real service."""

from __future__ import annotations

from html import escape

from hub.demo.phrases import COUNTY

PREFIX = "zwfw"  # the catalogue's site, beside the departments'
PER_PAGE = 15

PERSONAL, BUSINESS = "个人办事", "法人办事"

# (name, department, the catalogue's own topic)
SERVICES: tuple[tuple[str, str, str], ...] = (
    ("居民身份证换领", "县公安局", PERSONAL),
    ("临时居民身份证申领", "县公安局", PERSONAL),
    ("出生登记（户口）", "县公安局", PERSONAL),
    ("户口迁移（市外迁入）", "县公安局", PERSONAL),
    ("居住证申领", "县公安局", PERSONAL),
    ("城乡居民基本养老保险参保登记", "县人力资源和社会保障局", PERSONAL),
    ("社会保障卡申领", "县人力资源和社会保障局", PERSONAL),
    ("失业保险金申领", "县人力资源和社会保障局", PERSONAL),
    ("灵活就业人员参保登记", "县人力资源和社会保障局", PERSONAL),
    ("就业困难人员认定", "县人力资源和社会保障局", PERSONAL),
    ("城乡居民基本医疗保险参保登记", "县医疗保障局", PERSONAL),
    ("异地就医备案", "县医疗保障局", PERSONAL),
    ("医疗保障关系转移接续", "县医疗保障局", PERSONAL),
    ("门诊慢特病待遇认定", "县医疗保障局", PERSONAL),
    ("零星医疗费用报销", "县医疗保障局", PERSONAL),
    ("义务教育阶段新生入学报名", "县教育局", PERSONAL),
    ("家庭经济困难学生资助申请", "县教育局", PERSONAL),
    ("教师资格认定", "县教育局", PERSONAL),
    ("民办学校设立审批", "县教育局", BUSINESS),
    ("不动产首次登记", "县自然资源局", PERSONAL),
    ("不动产转移登记", "县自然资源局", PERSONAL),
    ("不动产抵押登记", "县自然资源局", BUSINESS),
    ("不动产登记资料查询", "县自然资源局", PERSONAL),
    ("结婚登记", "县民政局", PERSONAL),
    ("补领婚姻登记证", "县民政局", PERSONAL),
    ("最低生活保障申请", "县民政局", PERSONAL),
    ("高龄津贴申领", "县民政局", PERSONAL),
    ("困难残疾人生活补贴和重度残疾人护理补贴申请", "县民政局", PERSONAL),
    ("生育登记", "县卫生健康委员会", PERSONAL),
    ("出生医学证明办理", "县卫生健康委员会", PERSONAL),
    ("个体工商户设立登记", "县市场监督管理局", BUSINESS),
    ("食品经营许可", "县市场监督管理局", BUSINESS),
    ("企业设立登记", "县市场监督管理局", BUSINESS),
    ("公共租赁住房申请", "县住房和城乡建设局", PERSONAL),
    ("建筑工程施工许可", "县住房和城乡建设局", BUSINESS),
    ("道路货物运输经营许可", "县交通运输局", BUSINESS),
    ("退役军人优待证申领", "县退役军人事务局", PERSONAL),
    ("优抚对象定期抚恤补助", "县退役军人事务局", PERSONAL),
    ("取水许可", "县水利局", BUSINESS),
    ("林木采伐许可", "县林业局", PERSONAL),
    ("法律援助申请", "县司法局", PERSONAL),
    ("农村宅基地和村民住宅建设审批", "县农业农村局", PERSONAL),
)

# The portal's themes of the demo (channels.yaml `services.themes`).
THEMES: tuple[tuple[str, str, str], ...] = (
    ("户籍办理", "huji", "户口, 身份证, 居住证, 出生登记"),
    ("社会保障", "shebao", "社会保障, 养老保险, 失业保险, 就业"),
    ("医疗保障", "yibao", "医疗保险, 医疗保障, 就医, 医疗费用, 慢特病"),
    ("教育", "jiaoyu", "入学, 学生, 教师, 学校"),
    ("不动产", "budongchan", "不动产, 宅基地"),
    ("婚姻生育", "hunyu", "结婚, 婚姻, 生育, 出生医学证明"),
    ("社会救助", "jiuzhu", "最低生活保障, 津贴, 残疾人, 法律援助"),
    ("开办企业", "kaiban", "个体工商户, 企业设立, 经营许可"),
)


def list_path(page: int = 0) -> str:
    return f"/{PREFIX}/list.html" if page == 0 else f"/{PREFIX}/list_{page + 1}.html"


def guide_path(number: int) -> str:
    return f"/{PREFIX}/bszn/{number:04d}.html"


def pages() -> int:
    return -(-len(SERVICES) // PER_PAGE)


def list_page(page: int) -> str | None:
    """One page of the catalogue, None past its last."""
    if not 0 <= page < pages():
        return None
    start = page * PER_PAGE
    rows = "".join(
        f'<tr><td class="xh">{n + 1}</td>'
        f'<td class="sxmc"><a href="{guide_path(n + 1)}" target="_blank">{escape(name)}</a></td>'
        f'<td class="ssbm">{escape(department)}</td><td class="zt">{topic}</td>'
        f'<td class="bl"><a href="{guide_path(n + 1)}#online">在线办理</a></td></tr>\n'
        for n, (name, department, topic) in enumerate(SERVICES[start : start + PER_PAGE], start)
    )
    paging = " ".join(f'<a href="{list_path(n)}">{n + 1}</a>' for n in range(pages()))
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{COUNTY}政务服务网_事项目录</title></head><body>"
        f'<div class="top">{COUNTY}政务服务网</div>'
        '<table class="sx"><thead><tr><th>序号</th><th>事项名称</th><th>实施部门</th>'
        f"<th>服务对象</th><th>办理</th></tr></thead>\n<tbody>\n{rows}</tbody></table>"
        f'<div class="page">共{pages()}页 {paging}</div></body></html>'
    )


def guide_page(number: int) -> str | None:
    """A service's 办事指南, None for a number the catalogue lacks."""
    if not 1 <= number <= len(SERVICES):
        return None
    name, department, topic = SERVICES[number - 1]
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(name)}_办事指南</title></head><body><h1>{escape(name)}</h1>"
        f"<p>实施主体：{escape(department)}</p><p>服务对象：{topic}</p>"
        "<p>办理地点：县政务服务中心一楼综合窗口。法定办结时限：20个工作日；"
        "承诺办结时限：5个工作日。收费标准：不收费。</p>"
        '<p id="online">在线办理：本演示县不提供真实办理。</p></body></html>'
    )
