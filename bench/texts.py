"""Generated Chinese policy texts for the bench site: notices issuing a plan, and work news.

Sentences are composed from parts (who, how, does what, with what result), each drawn from lists, so two
articles share phrases the way real ones do and not whole sentences: the share of 5-character shingles two
articles have in common stays near that of real policy news (a few percent), and what depends on it (story
matching, the search index) costs here what it costs on real pages. Every word is ours; a seeded RNG makes the
same article number give the same text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PROVINCES = [
    ("湖南省", "湘", ["长沙市", "株洲市", "湘潭市", "衡阳市", "岳阳市", "常德市", "郴州市", "怀化市"]),
    ("贵州省", "黔", ["贵阳市", "遵义市", "六盘水市", "安顺市", "毕节市", "铜仁市"]),
    ("浙江省", "浙", ["杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "台州市"]),
    ("四川省", "川", ["成都市", "绵阳市", "德阳市", "宜宾市", "南充市", "泸州市", "乐山市"]),
    ("广东省", "粤", ["广州市", "深圳市", "珠海市", "佛山市", "东莞市", "惠州市", "江门市", "湛江市"]),
    ("河南省", "豫", ["郑州市", "洛阳市", "开封市", "新乡市", "许昌市", "南阳市", "信阳市"]),
    ("江西省", "赣", ["南昌市", "九江市", "赣州市", "上饶市", "宜春市", "吉安市"]),
    ("山东省", "鲁", ["济南市", "青岛市", "烟台市", "潍坊市", "临沂市", "济宁市", "威海市"]),
    ("福建省", "闽", ["福州市", "厦门市", "泉州市", "漳州市", "莆田市", "龙岩市"]),
    ("陕西省", "陕", ["西安市", "宝鸡市", "咸阳市", "汉中市", "榆林市", "延安市"]),
    ("湖北省", "鄂", ["武汉市", "宜昌市", "襄阳市", "荆州市", "黄石市", "十堰市"]),
    ("云南省", "滇", ["昆明市", "曲靖市", "玉溪市", "大理白族自治州", "红河哈尼族彝族自治州"]),
]


@dataclass(frozen=True)
class Theme:
    name: str
    plan: str  # plan title stem
    metrics: tuple[tuple[str, str, float, float, int], ...]  # (metric, unit, low, high, decimals)
    objects: tuple[str, ...]  # what the plan builds or improves


THEMES = [
    Theme("数字经济", "数字经济高质量发展", (
        ("数字经济核心产业增加值", "亿元", 800, 9000, 0), ("5G基站", "万个", 2, 15, 1),
        ("规模以上工业企业数字化改造覆盖率", "%", 60, 95, 0), ("省级工业互联网平台", "个", 20, 120, 0)), (
        "工业互联网平台", "数据中心集群", "5G应用场景", "智能制造示范工厂", "数字化转型服务商", "算力基础设施",
        "软件和信息服务业", "数据要素市场", "跨境电商综合试验区", "电子信息产业集群", "城市运行管理平台",
        "区块链应用示范项目", "人工智能开放平台", "中小企业数字化改造", "公共数据开放平台", "数字政府一体化平台",
        "信创产业园", "北斗时空信息服务", "集成电路封装测试基地", "超高清视频产业")),
    Theme("现代农业", "农业农村现代化", (
        ("粮食综合生产能力", "万吨", 600, 3200, 0), ("高标准农田", "万亩", 300, 4500, 0),
        ("农产品加工业产值", "亿元", 1200, 9000, 0), ("农作物耕种收综合机械化率", "%", 70, 90, 1)), (
        "高标准农田", "现代农业产业园", "农产品冷链物流", "种业创新基地", "智慧农业示范区", "粮食仓储设施",
        "农村电商服务站", "特色农产品优势区", "农业社会化服务组织", "示范家庭农场", "农田水利设施",
        "丘陵山区宜机化改造", "稻渔综合种养基地", "农产品地理标志", "乡村旅游重点村", "畜禽粪污资源化利用",
        "油茶低产林改造", "预制菜产业园", "农业科技小院", "县域商业体系")),
    Theme("医疗卫生", "卫生健康事业发展", (
        ("每千人口执业（助理）医师数", "人", 3, 5, 1), ("县域就诊率", "%", 85, 95, 0),
        ("三级公立医院", "家", 60, 400, 0), ("人均预期寿命", "岁", 78, 81, 1)), (
        "区域医疗中心", "县域医共体", "紧密型城市医疗集团", "乡镇卫生院", "院前急救网络", "中医药传承创新中心",
        "互联网医院", "公共卫生应急物资储备", "家庭医生签约服务", "妇幼保健机构", "精神卫生服务体系",
        "疾病预防控制体系", "远程会诊系统", "全民健康信息平台", "临床重点专科", "村卫生室标准化建设",
        "老年医学科", "康复医疗服务", "职业病防治", "检查检验结果互认")),
    Theme("交通运输", "综合立体交通网建设", (
        ("高速公路通车里程", "公里", 5000, 12000, 0), ("铁路营业里程", "公里", 4000, 9000, 0),
        ("民航旅客吞吐量", "万人次", 1500, 9000, 0), ("城市公共交通机动化出行分担率", "%", 45, 70, 0)), (
        "高速公路网", "城际铁路", "通用机场", "内河高等级航道", "多式联运枢纽", "农村公路", "城市轨道交通",
        "综合客运枢纽", "物流园区", "港口集疏运体系", "智慧交通管控平台", "公交都市", "高速公路服务区充电设施",
        "货运枢纽", "国省干线公路", "危旧桥梁改造", "低空飞行服务站", "城市停车设施", "铁路专用线",
        "交通安全设施")),
    Theme("生态环境", "生态环境保护", (
        ("地级城市空气质量优良天数比率", "%", 85, 96, 1), ("森林覆盖率", "%", 40, 68, 1),
        ("地表水国控断面水质优良比例", "%", 88, 98, 1), ("单位地区生产总值二氧化碳排放降低", "%", 15, 20, 1)), (
        "大气污染联防联控机制", "城镇污水处理设施", "饮用水水源地", "土壤污染风险管控", "长江岸线",
        "湿地保护体系", "固体废物综合利用", "生态保护红线", "重点河湖", "矿山生态修复", "碳排放权交易",
        "生态环境监测网络", "农村生活污水治理", "国土绿化", "噪声污染防治", "生物多样性保护",
        "危险废物集中处置中心", "林长制", "河湖长制", "入河排污口整治")),
    Theme("教育", "教育强省建设", (
        ("学前教育毛入园率", "%", 90, 96, 0), ("高中阶段教育毛入学率", "%", 92, 98, 0),
        ("新建改扩建中小学校", "所", 100, 900, 0), ("高等教育毛入学率", "%", 55, 65, 0)), (
        "公办幼儿园", "义务教育学校", "县域普通高中", "职业院校", "产教融合实训基地", "一流学科", "智慧校园",
        "乡村教师队伍", "课后服务", "学生资助体系", "特殊教育学校", "劳动教育实践基地", "继续教育",
        "教育数字化", "城乡学校共同体", "寄宿制学校", "校园安全防控体系", "研学实践基地", "中外合作办学",
        "国家通用语言文字推广")),
    Theme("新能源", "新能源产业发展", (
        ("新能源装机容量", "万千瓦", 1500, 9000, 0), ("新能源汽车产量", "万辆", 20, 200, 0),
        ("公共充电桩", "万个", 5, 60, 0), ("非化石能源消费比重", "%", 18, 30, 0)), (
        "集中式风电项目", "光伏发电项目", "抽水蓄能电站", "新型储能", "氢能产业链", "动力电池回收利用",
        "充电基础设施", "智能电网", "分布式光伏", "新能源汽车推广应用", "绿色电力交易", "生物质能",
        "地热能开发", "源网荷储一体化", "虚拟电厂", "锂电材料产业", "燃料电池汽车示范", "农村能源革命试点",
        "电力现货市场", "煤电机组灵活性改造")),
    Theme("养老服务", "养老服务体系建设", (
        ("养老机构床位", "万张", 10, 40, 0), ("社区养老服务设施覆盖率", "%", 90, 100, 0),
        ("护理型床位占比", "%", 55, 65, 0), ("老年助餐服务点", "个", 500, 3000, 0)), (
        "居家社区养老服务网络", "县级失能照护机构", "乡镇敬老院", "老年助餐服务", "家庭适老化改造",
        "养老护理员队伍", "智慧养老平台", "医养结合机构", "长期护理保险", "老年大学", "社区嵌入式服务设施",
        "普惠养老", "农村互助养老", "老年人能力评估", "养老机构等级评定", "家庭养老床位", "银发经济",
        "老年友好型社区", "认知障碍照护", "养老服务时间银行")),
]

DEPARTMENTS = ["发展改革委", "工业和信息化厅", "财政厅", "农业农村厅", "卫生健康委", "交通运输厅", "生态环境厅",
               "教育厅", "民政厅", "科技厅", "商务厅", "自然资源厅", "人力资源社会保障厅", "市场监管局", "住房城乡建设厅",
               "水利厅", "文化和旅游厅", "能源局", "数据局", "统计局"]
PLAN_KINDS = ["行动方案", "实施方案", "发展规划", "三年行动计划", "若干措施", "实施意见", "工作方案"]
NATIONAL = ["《国务院关于加快建设全国统一大市场的意见》", "《“十四五”数字经济发展规划》", "《乡村振兴促进法》",
            "《国家综合立体交通网规划纲要》", "《“健康中国2030”规划纲要》", "《2030年前碳达峰行动方案》",
            "《教育强国建设规划纲要》", "《“十四五”国家老龄事业发展和养老服务体系规划》",
            "《关于推动能源绿色低碳转型的意见》", "《数字中国建设整体布局规划》"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "建国明华晓燕立新志刚宏伟丽君海涛春梅文斌秀英子涵思远嘉怡国栋雪峰玉兰德胜宇航静怡振宁书瑶"

VERBS = ["推进", "建设", "完善", "培育", "打造", "实施", "优化", "提升", "拓展", "健全", "深化", "支持", "引导",
         "加强", "布局", "改造", "搭建", "推广", "落实", "开展", "创建", "强化", "壮大", "规范", "整合", "升级",
         "储备", "招引", "谋划", "试点"]
MANNERS = ["统筹", "加快", "有序", "稳步", "大力", "积极", "着力", "全面", "持续", "率先", "分类", "集中", "重点",
           "协同", "梯次", "规范有序地", "因地制宜", "高标准", "常态化", "多渠道"]
ACTORS = ["{c}", "{c2}", "省{d}", "省{d2}", "各市州", "有关县市区", "{c}人民政府", "省直有关部门", "{c}高新区",
          "{c2}经开区", "各级财政部门", "{r}各地", "县级人民政府", "有条件的地区", "行业主管部门"]
MODALS = ["要", "将", "应当", "力争", "可", "须", "计划", "拟", "已", "正"]
PRINCIPLES = ["政府引导、市场主导", "统筹规划、分步实施", "问题导向、目标导向", "创新驱动、融合发展",
              "因地制宜、分类指导", "保基本、兜底线", "绿色低碳、集约节约", "需求牵引、应用为先", "系统观念、整体推进",
              "改革开放、协同联动", "安全可控、开放共享", "惠民利企、公平普惠"]
AIMS = ["高质量发展", "共同富裕", "乡村全面振兴", "城乡融合发展", "新质生产力", "民生福祉", "营商环境", "安全发展",
        "区域协调发展", "现代化产业体系", "创新能力", "公共服务均等化"]
RESULTS = [
    "到{y2}年{m}达到{v}{u}",
    "新增{o}{n}个",
    "{m}较{y0}年提高{g}个百分点",
    "累计完成投资{k2}亿元",
    "覆盖{n3}个乡镇（街道）",
    "惠及群众{n2}万人",
    "带动就业{n2}人",
    "培育龙头企业{n}家",
    "形成{n}个可复制可推广的典型案例",
    "争取中央资金{k}亿元",
    "建成{o}{n3}处",
    "力争{y1}年底前完成{p}%",
    "年均增长{g}%左右",
    "{m2}达到{v2}{u2}以上",
]
NEWS_OPENERS = [
    "{date}，{r}召开{t}工作推进会，总结前一阶段工作，部署下一步重点任务。",
    "记者从{r}{d}获悉，截至{mon}月底，全省{m}已达{v3}{u}，完成年度目标的{p}%。",
    "{date}，记者走进{c}，看到一批{o}项目正在加紧建设。",
    "近日，{r}{d}印发通知，部署开展{o}专项行动。",
    "{date}，{c}举行{t}重点项目集中开工仪式，{n3}个项目总投资{k2}亿元。",
]
QUOTES = [
    "“{quote}”{c}{job}{who}说。",
    "{c}{job}{who}告诉记者：“{quote}。”",
    "“{quote}”前来办事的市民{who2}说。",
]
QUOTE_TEXTS = [
    "过去办一件事要跑好几趟，现在在手机上就能办好",
    "我们今年的订单比去年多了三成，车间已经满负荷运转",
    "接下来，我们将把更多资源投向基层，让群众有更多获得感",
    "这个项目建成后，周边群众出行时间能缩短一半",
    "政策兑现快了，企业扩大投资的底气也更足了",
    "我们把问题清单变成任务清单，一项一项抓落实",
    "家门口就有服务点，老人吃饭、看病都方便多了",
    "数据多跑路，群众少跑腿，这是我们一直努力的方向",
]
JOBS = ["副市长", "发展改革局局长", "工业和信息化局副局长", "农业农村局局长", "卫生健康委主任", "交通运输局局长",
        "生态环境局局长", "教育局局长", "民政局副局长", "数据局局长"]
HEADINGS = ["一、总体要求", "二、主要目标", "三、重点任务", "四、保障措施", "五、组织实施"]
CHINESE_NUMBERS = "一二三四五六七八九十"


def _num(rng: random.Random, low: float, high: float, decimals: int) -> str:
    value = rng.uniform(low, high)
    return f"{value:.{decimals}f}" if decimals else str(int(value))


class ArticleWriter:
    """One article's words: its place, theme and years fixed, the rest drawn sentence by sentence."""

    def __init__(self, rng: random.Random, year: int) -> None:
        self.rng = rng
        self.province, self.abbr, self.cities = rng.choice(PROVINCES)
        self.other = rng.choice([p for p in PROVINCES if p[0] != self.province])[0]
        self.theme = rng.choice(THEMES)
        self.year = year
        self.y1, self.y2 = year + rng.randint(0, 1), year + rng.randint(2, 4)
        self._fillings = [self._filling() for _ in range(6)]

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN, self.rng.randint(1, 2)))

    def slots(self) -> dict[str, object]:
        """One of the article's few fillings of the templates (places, numbers, people)."""
        return self.rng.choice(self._fillings)

    def _filling(self) -> dict[str, object]:
        rng, theme = self.rng, self.theme
        (m, u, lo, hi, dec), (m2, u2, lo2, hi2, dec2) = rng.sample(theme.metrics, 2)
        c, c2 = rng.sample(self.cities, 2)
        return {
            "r": self.province, "r2": self.other, "c": c, "c2": c2, "t": theme.name, "y0": self.year - 1,
            "y1": self.y1, "y2": self.y2, "m": m, "u": u, "v": _num(rng, lo, hi, dec), "m2": m2, "u2": u2,
            "v2": _num(rng, lo2, hi2, dec2), "v3": _num(rng, lo * 0.6, lo, dec), "g": _num(rng, 1, 15, 1),
            "p": rng.randint(60, 98), "k": rng.randint(2, 90), "k2": rng.randint(50, 2900), "n": rng.randint(2, 9),
            "n2": rng.randint(100, 9000), "n3": rng.randint(12, 600), "mon": rng.randint(1, 11),
            "d": rng.choice(DEPARTMENTS), "d2": rng.choice(DEPARTMENTS), "o": rng.choice(theme.objects),
            "who": self.person(), "who2": self.person(), "job": rng.choice(JOBS),
            "date": f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
        }

    def task(self) -> str:
        """Who, how, does what to what, with which result: the sentence every plan and report is made of."""
        rng, s = self.rng, self.slots()
        actor = rng.choice(ACTORS).format(**s)
        objects = rng.sample(self.theme.objects, 2)
        clause = f"{actor}{rng.choice(MODALS)}{rng.choice(MANNERS)}{rng.choice(VERBS)}{objects[0]}"
        if rng.random() < 0.5:
            clause += f"和{objects[1]}"
        results = [r.format(**s) for r in rng.sample(RESULTS, rng.randint(1, 2))]
        return clause + "，" + "，".join(results) + "。"

    def principle(self) -> str:
        rng = self.rng
        return (f"坚持{rng.choice(PRINCIPLES)}，{rng.choice(['围绕', '聚焦', '着眼'])}{rng.choice(AIMS)}，"
                f"{rng.choice(MANNERS)}{rng.choice(VERBS)}{rng.choice(self.theme.objects)}。")

    def headline(self, notice: bool) -> tuple[str, str, str]:
        """(title, issuer, doc number) of a notice issuing a plan, or of a work report (no doc number)."""
        rng = self.rng
        if notice:
            issuer = f"{self.province}人民政府办公厅"
            self.plan_title = f"{self.province}{self.theme.plan}{rng.choice(PLAN_KINDS)}（{self.y1}—{self.y2}年）"
            return f"{issuer}关于印发《{self.plan_title}》的通知", issuer, f"{self.abbr}政办发〔{self.year}〕{rng.randint(1, 60)}号"
        s = self._fillings[0]
        verb = rng.choice(["达到", "突破", "超过"])
        title = f"{s['c']}{rng.choice(MANNERS)}推进{self.theme.name}工作 {s['m']}{verb}{s['v3']}{s['u']}"
        return title, f"{self.province}{s['d']}", ""

    def notice(self, published: str, issuer: str) -> list[str]:
        """The paragraphs of a notice that issues a plan (call `headline(True)` first)."""
        rng = self.rng
        paragraphs = [
            "各市州、县市区人民政府，省政府各厅委、各直属机构：",
            f"《{self.plan_title}》已经省人民政府同意，现印发给你们，请结合实际认真贯彻执行。",
            issuer,
            f"{self.year}年{int(published[5:7])}月{int(published[8:10])}日",
            self.plan_title,
            f"为深入贯彻落实{rng.choice(NATIONAL)}，{self.principle()}结合我省实际，制定本方案。",
        ]
        for heading in HEADINGS:
            paragraphs.append(heading)
            for k in range(rng.randint(2, 4)):
                lead = f"（{CHINESE_NUMBERS[k]}）{rng.choice(VERBS)}{rng.choice(self.theme.objects)}。"
                body = [self.principle() if rng.random() < 0.3 else self.task() for _ in range(rng.randint(1, 3))]
                paragraphs.append(lead + "".join(body))
        return paragraphs

    def news(self) -> list[str]:
        """The paragraphs of a work report."""
        rng = self.rng
        paragraphs = [rng.choice(NEWS_OPENERS).format(**self._fillings[0])]
        for _ in range(rng.randint(10, 16)):
            part = [self.task() for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.25:
                part.append(rng.choice(QUOTES).format(quote=rng.choice(QUOTE_TEXTS), **self.slots()))
            paragraphs.append("".join(part))
        paragraphs.append(f"（记者 {self.person()} 通讯员 {self.person()}）")
        return paragraphs
