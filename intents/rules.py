"""Intent rules that run before the FAQ: crisis first, then commands and flow entry.

Patterns run on ``knowledge.text.normalize`` output: 简体, lower-case, synonyms
folded (上访→信访, 优待卡→优待证), punctuation removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SELF_HARM = re.compile(
    r"不想活|活着.{0,3}没(有)?意思|活着.{0,3}没(有)?意义|活够了|没有活路|没活路|活不成|活不下去|没法活|不如死|想死|去死|寻死|轻生|自杀|自尽|跳楼|跳河|跳江|"
    r"喝农药|喝.{0,3}农药|喝药|上吊|割腕|了结自己|结束生命|一死了之|一了百了|安眠药|熬不下去|撑不下去|"
    r"寻短见|想不开|不想拖累|累赘|攒(了)?.{0,4}药|药.{0,6}攒|存(了)?.{0,4}安眠|睡过去.{0,4}(别|不要|不)醒|睡着.{0,3}(别|不)醒|不想醒|"
    r"永远睡|楼顶|天台|遗书|遗言|活着(还)?有(什么|啥)(意思|意义|盼头|用)|活(着|得)(真|太)?累|不如早点走|早点走了算|"
    r"结束(这)?一切|拖累(孩子|家里|家人|你们)|我走了(他们|你们|家里|孩子)|上楼顶|跳下去"
)
HARM_OTHERS = re.compile(
    r"杀了他|杀了他们|砍死|砍了|把.{0,6}砍|(跟|和)(他们|他|你们).{0,2}拼了|弄死他|同归于尽|报复社会|炸了|放火|捅死|拼命|拿(把)?刀|动刀|带(把)?刀|"
    r"(找|跟).{0,8}算账|弄死|打死他|要他(的)?命"
)
CROWD = re.compile(
    r"集体信访|集体去|集访|聚集|去北京|进京|上北京|到北京|一起去(省|市|县)|堵门|堵路|拉横幅|静坐|围堵|游行|示威|"
    r"(几十|上百|一百|好多|很多|一帮|一群)(个|名|位)?(战友|老兵|退役军人|人).{0,6}(一起|一块|都)去|"
    r"(我们|俺们|咱们|大家|几个|几十个|一群|一帮|好多|很多)(老)?(战友|老兵|退役军人|兄弟|人).{0,12}(去|到|上)(省里|省城|省政府|市里|市政府|北京|部里|京城)|"
    r"(去|到|上)(省里|省城|市里|北京|政府).{0,8}讨(个)?说法|"
    r"(带上|带着|叫上|组织|喊上).{0,3}(几十|上百|一百|好多|很多|一帮|一群|几百)(个|号)?(人|战友|老兵)|"
    r"(去|到|上)(省里|省城|省政府|北京|京城|部里).{0,4}信访"
)
HANDOFF = re.compile(
    r"^(转)?人工(客服|服务)?$|转人工|人工客服|找人工|真人|活人|找(个)?工作人员|跟工作人员|联系工作人员|"
    r"打电话给我|给我回电话|回个电话|不要机器人|不跟机器人|机器人听不懂|机器人说不明白|找客服|"
    r"(找|叫|让|见|约)(你们)?(的)?(领导|局长|主任|负责人)|(找|叫)(个)?负责人|有人(管|理)吗|"
    r"(给我|跟我)?(打|回)(个|一个)?电话(给我)?$|有人给我打(个)?电话|(跟|和|找).{0,10}(的人|工作人员)(联系|说|谈)|不会打字"
)
END_HANDOFF = re.compile(r"^结束人工$|^退出人工$|^回到机器人$")

_QUESTION = r"多久|多少|几天|几个月|怎么|如何|什么|啥|吗|么$|能不能|可不可以|可以不|有没有|是否|规定|条件|流程|要求|时限|期限|哪"
QUESTION = re.compile(_QUESTION)
WANT = r"(我|俺|咱|我们|想|要|帮我|给我|替我|请|麻烦)"
PETITION_START = re.compile(
    rf"^{WANT}+(要|想|需要)?(信访|投诉|举报|申诉|告状|反映情况|反映个|反映一下|写信)|^我要反映|^我有(问题|情况|事)要反映|"
    rf"(投诉|举报)(一下|他们|你们|单位|村里|镇里)|一直(没|不)(解决|给|落实|处理)|(没人|不)管(我|俺)|没人管$|"
    r"踢皮球|推来推去|推三阻四|不作为|拖了.{0,3}(年|个月)"
)
PETITION_LOOKUP = re.compile(
    r"(信访|反映|投诉|举报|申诉|受理编号|回执|工单).{0,24}(进度|进展|办到哪|怎么样了|有没有结果|处理得怎么样|到哪一步)|"
    r"查询进度|查进度|查一下进度|(进度|进展)查询|xf-?\d{8}"
)
CARD_STATUS = re.compile(
    r"优待证.{0,10}(办到哪|到哪一步|进度|进展|怎么还没|还没下来|还没拿到|什么时候能拿|审核到哪|状态)"
)
CARD_KIND = r"(退役军人|烈士遗属|遗属|军人)?(的)?"
FOR_FAMILY = r"((给|替|帮)(父母|家人|家里人|老人|爷爷|奶奶|老伴|亲戚|孩子|我|俺))?"
CARD_START = re.compile(
    rf"^{WANT}*(要|想|需要|准备)?{FOR_FAMILY}(申请|办|弄|领|拿|开始)(一)?(个|张|下|一下)?{CARD_KIND}优待证(吧|呀|啊)?$|"
    rf"^(帮|给|替)(我|俺|我家|父母|老人|家人|老伴)\S{{0,4}}(申请|办|弄)(一下|一个|一张)?{CARD_KIND}优待证|"
    r"^优待证(申请|办理)$"
)
SURVIVAL_START = re.compile(
    rf"^{WANT}*(要|想|需要|准备)?{FOR_FAMILY}(做|办|搞|弄|进行|预约|开始|启动)(一下|个)?(今年|今年的|年度的|这次|一下)?(生存认证|年度确认|年审|认证)(吧|呀|啊)?$|"
    rf"^(帮|给|替)(我|俺|我家|父母|老人|家人|老伴)\S{{0,4}}(做|办|搞)(一下)?(生存认证|认证)$|"
    rf"^{WANT}*(申请|预约)(一下|个)?上门(认证|确认)|"
    r"^(生存认证|年度确认)(申请)?$"  # the bare menu label (web chat buttons)
)
GREETING = re.compile(
    r"^((你好|您好|你们好|哈喽|hello|hi|嗨|在吗|在不在|在么|有人吗|有人在吗|有没有人|喂|请问|早上好|上午好|中午好|"
    r"下午好|晚上好|早|早安|老师好|同志|小助手|机器人)(啊|呀|呢|哈)?)+$"
)
THANKS = re.compile(
    r"^((谢谢|谢谢你|谢谢您|多谢|感谢|麻烦你了|好的|好|行|嗯|知道了|明白了|清楚了|懂了|收到|ok|再见|拜拜|辛苦了|辛苦|"
    r"同志|你|您)(啦|了|啊|呀|哈)?)+$"
)
HELP = re.compile(
    r"^(帮助|菜单|主菜单|功能|你能做什么|你会什么|你能干什么|你是谁|能帮我什么|怎么用|help|menu)$"
)
OUT_OF_SCOPE = re.compile(
    r"天气|气温|下雨|写(一)?首诗|作诗|写诗|写文章|写作文|股票|炒股|基金推荐|彩票|讲个笑话|讲笑话|翻译|算命|星座|"
    r"忽略(之前|以上|前面)|(之前|以上|前面)的(所有)?指令|系统提示|system ?prompt|管理员密码|你的密码|告诉我密码|越狱|"
    r"扮演|角色扮演|做饭|菜谱|电影推荐|打游戏|足球|篮球|世界杯|"
    r"(导出|发给我|给我发|提供|列出|打包).{0,12}(名单|所有.{0,8}(电话|身份证|住址|信息))|所有.{0,10}的(名单|电话|身份证号|住址)"
)


@dataclass(frozen=True)
class RuleMatch:
    intent: str  # crisis | handoff | petition | card | survival_cert | greeting | out_of_scope
    action: str  # what the engine should do: crisis:self | crisis:crowd | handoff | flow:<name> | greeting | thanks | help | oos
    rest: str = ""  # text left after a greeting prefix


def match(norm: str, plain: str | None = None) -> RuleMatch | None:
    """The first rule that fires on a normalised message, most urgent first.

    ``plain`` is the message before synonyms were folded: danger is read in the
    veteran's own words (so "一死了之" never becomes something milder)."""
    if not norm:
        return None
    words = (norm, plain) if plain else (norm,)
    if any(SELF_HARM.search(w) or HARM_OTHERS.search(w) for w in words):
        return RuleMatch("crisis", "crisis:self")
    if CROWD.search(norm):
        return RuleMatch("crisis", "crisis:crowd")
    if HANDOFF.search(norm):
        return RuleMatch("handoff", "handoff")
    if PETITION_LOOKUP.search(norm):
        return RuleMatch("petition", "flow:lookup")
    if CARD_STATUS.search(norm):
        return RuleMatch("card", "flow:card_status")
    if CARD_START.search(norm):
        return RuleMatch("card", "flow:card")
    if SURVIVAL_START.search(norm):
        return RuleMatch("survival_cert", "flow:survival_cert")
    if PETITION_START.search(norm) and not _asks_about_rules(norm):
        return RuleMatch("petition", "flow:petition")
    if GREETING.match(norm):
        return RuleMatch("greeting", "greeting")
    if THANKS.match(norm):
        return RuleMatch("greeting", "thanks")
    if HELP.match(norm):
        return RuleMatch("greeting", "help")
    if OUT_OF_SCOPE.search(norm):
        return RuleMatch("out_of_scope", "oos")
    return None


def _asks_about_rules(norm: str) -> bool:
    """ "信访多久受理" asks about the rules; "我要信访" wants to file one."""
    if re.match(r"^(我|俺|咱)(们)?(要|想|得)(信访|投诉|反映|举报|申诉|告)", norm):
        return False
    return bool(QUESTION.search(norm))


GREETING_PREFIX = re.compile(r"^(你好|您好|你们好|同志你好|同志您好|老师好|在吗|在不在|请问|喂)+")


def strip_greeting(norm: str) -> str:
    return GREETING_PREFIX.sub("", norm)
