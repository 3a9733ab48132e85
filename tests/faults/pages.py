"""Pages for the hostile web: ordinary notices (our own text) and the malformed things servers really send."""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    title: str
    date: str  # YYYY-MM-DD
    issuer: str
    paragraphs: tuple[str, ...]

    @property
    def text_sample(self) -> str:
        """A sentence that must survive decoding and normalisation unchanged."""
        return self.paragraphs[0][:24]


NOTICES: tuple[Notice, ...] = (
    Notice(
        "衡阳市人民政府办公室关于加快推进农村供水保障工程建设的通知", "2024-03-12", "衡阳市人民政府办公室",
        (
            "各县市区人民政府，市直有关单位：为切实解决农村群众饮水安全问题，经市人民政府同意，现就加快推进农村供水保障工程建设有关事项通知如下。",
            "到2026年，全市农村自来水普及率达到95%以上，新建改建规模化供水工程120处，供水保证率明显提高。",
            "各地要把农村供水工程纳入年度重点项目，落实建设资金，确保工程按期完工并发挥效益。",
        ),
    ),
    Notice(
        "关于印发城乡冷链物流设施建设实施方案的通知", "2024-04-02", "赣州市发展和改革委员会",
        (
            "各县（市、区）发展改革委，各有关单位：现将《赣州市城乡冷链物流设施建设实施方案（2024—2026年）》印发给你们，请认真贯彻落实。",
            "到2026年，全市新增冷库库容50万吨，建成县级冷链物流集散中心18个，农产品产地低温处理率提高到40%。",
            "各地要优化冷链设施布局，完善用地、用电等要素保障，及时协调解决项目推进中的困难和问题。",
        ),
    ),
    Notice(
        "关于开展中小企业数字化转型试点工作的通知", "2024-05-20", "株洲市工业和信息化局",
        (
            "各县市区工信部门，各有关企业：为加快中小企业数字化转型步伐，决定在全市组织开展中小企业数字化转型试点工作。",
            "试点期间，培育数字化转型标杆企业30家以上，带动1000家中小企业上云用数，形成一批可复制推广的典型案例。",
            "申报企业应于2024年6月30日前将申报材料报送所在地工信部门，逾期不予受理。",
        ),
    ),
    Notice(
        "关于实施公共文化设施提质行动的通知", "2024-06-18", "岳阳市文化旅游广电局",
        (
            "各县市区文化旅游广电局：为进一步提升公共文化服务效能，现决定在全市实施公共文化设施提质行动。",
            "到2025年底，建成城市书房200个，乡镇综合文化站达标率达到100%，村级综合性文化服务中心实现全覆盖。",
            "各地要加强经费保障，统筹用好现有场馆资源，推动公共文化设施延时错时开放。",
        ),
    ),
    Notice(
        "关于进一步规范政务服务事项办理时限的通知", "2024-07-09", "常德市政务服务中心",
        (
            "各县市区政务服务中心，市直各有关单位：为持续优化营商环境，现就进一步规范政务服务事项办理时限通知如下。",
            "各单位承诺办理时限原则上压缩至法定时限的40%以内，即办件比例提高到60%以上。",
            "市政务服务中心将按季度通报各单位办理时限执行情况，对超时办理的事项督促整改。",
        ),
    ),
    Notice(
        "关于做好2024年度城镇老旧小区改造工作的通知", "2024-08-27", "邵阳市住房和城乡建设局",
        (
            "各县市区住房城乡建设局：根据省住房城乡建设厅部署，现就做好2024年度城镇老旧小区改造工作通知如下。",
            "全年计划改造城镇老旧小区260个，涉及居民2.3万户，同步加装电梯150部，新增停车位3000个。",
            "各地要坚持居民自愿、先民生后提升的原则，充分听取居民意见，确保改造工程质量和安全。",
        ),
    ),
)


def notice_html(notice: Notice, *, charset: str = "utf-8", extra: str = "", meta_charset: bool = True,
                attachments: tuple[tuple[str, str], ...] = ()) -> str:
    """A detail page the way a TRS portal renders it (title, 发布时间, body, attachment links)."""
    meta = f'<meta charset="{charset}">' if meta_charset else ""
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in notice.paragraphs)
    links = "".join(f'<p>附件：<a href="{href}">{html.escape(name)}</a></p>' for href, name in attachments)
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{html.escape(notice.title)}_政府信息公开</title>"
        f'<meta name="ArticleTitle" content="{html.escape(notice.title)}">'
        f'<meta name="PubDate" content="{notice.date} 09:30">'
        f'<meta name="ContentSource" content="{html.escape(notice.issuer)}"></head><body>'
        '<div class="nav"><a href="/">首页</a> &gt; <a href="/list/index.html">通知公告</a></div>'
        f'<div class="article"><h1>{html.escape(notice.title)}</h1>'
        f'<div class="info">发布时间：{notice.date} 来源：{html.escape(notice.issuer)}</div>'
        f'<div class="content">{paragraphs}{links}</div></div>{extra}'
        '<div class="footer">主办单位：市人民政府办公室 技术支持：市大数据中心</div></body></html>'
    )


def list_html(links: list[tuple[str, str]], *, next_href: str | None = None, title: str = "通知公告",
              charset: str = "utf-8", script: str = "") -> str:
    """A list page: one `<li>` per (href, text), dated, and an optional 下一页 link."""
    items = "\n".join(
        f'<li><a href="{html.escape(href)}" target="_blank">{html.escape(text)}</a><span>2024-09-0{i % 9 + 1}</span></li>'
        for i, (href, text) in enumerate(links)
    )
    nav = f'<a href="{html.escape(next_href)}">下一页</a>' if next_href else ""
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head><body>'
        f'<ul class="list">{items}</ul><div class="page">{nav}</div>{script}</body></html>'
    )


# --- what a web application firewall sends with status 200 instead of the article --------------------
WAF_SLIDER = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>安全验证</title></head><body>'
    '<div id="nc"><p>请拖动下方滑块完成安全验证后继续访问</p><div class="slider"></div></div>'
    "<script src=\"/waf/nc.js\"></script><script>initSlider({appkey:'FFFF00000000016A'});</script>"
    "</body></html>"
)
WAF_TOO_FREQUENT = (
    '<html><head><meta charset="utf-8"><title>提示</title></head><body>'
    "<h2>访问过于频繁，请稍后再试</h2><p>您的IP在短时间内请求次数过多，已被临时限制。</p></body></html>"
)
# A JavaScript challenge: no words at all, a script that sets a cookie and reloads the page.
WAF_JS_SHELL = (
    "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body>"
    "<script>var _0x3f=['\\x63\\x6f\\x6f\\x6b\\x69\\x65'];document.cookie='__jsl_clearance_s=1726031234.56|0|"
    "x7Hq%2BfR2kQ%3D;max-age=3600;path=/';location.href=location.pathname+location.search</script></body></html>"
)
# A shell whose words come only from a script the crawler cannot run.
WAF_RUISHU_SHELL = (
    '<!DOCTYPE html><html><head><meta id="9DhefwqGPrzGxEp9hPaoag" content="VQnYJdx3lZ5pZ2QjX.eC1a">'
    '<script type="text/javascript" r="m">$_ts=window[\'$_ts\'];if(!$_ts)$_ts={};$_ts.nsd=38291;'
    "$_ts.cd=\"qEcrrAlmxGRR\";</script><script src=\"/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js\" r=\"m\"></script>"
    "</head><body></body></html>"
)
