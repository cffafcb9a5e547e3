"""Intent rules that run before the FAQ: crisis first, then commands and flow entry.

Patterns run on ``knowledge.text.normalize`` output: 简体, lower-case, synonyms
folded (上访→信访, 优待卡→优待证), punctuation removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intents import scams

# -- crisis ---------------------------------------------------------------------------------
# Danger is read from cue classes that meet in one message, in any order, not from fixed
# sentences: a means with a verb of using it, life called worthless, a wish to join the dead,
# a weapon or a killing verb with a person, a crowd heading for a government place. Each class
# is a small named pattern below; ``crisis_action`` alone decides. Patterns run on both the
# normalised text and the veteran's own words (``plain``), without punctuation.

# Said outright: wanting to die, and the sound-alike or typo forms people type in distress
# (不相活/不想或 for 不想活, 自沙/zisha for 自杀).
NOT_LIVE = r"不(想|相|向)(再)?(活|或|火|获)(?!动|者|许|化|力|跃|泼|得|奖|车|灾|锅|候|儿|计|伴)"
SUICIDE_WORD = r"(自|zi)(杀|沙|刹|煞|sha)|轻生|寻死|自尽|寻短见"
SELF_HARM = re.compile(
    NOT_LIVE + "|" + SUICIDE_WORD + "|"
    r"活着.{0,3}没(有|啥|什么|多大|一点)?(意思|意义|盼头|奔头|指望)|(日子|生活|人生)(真|也|都|还)?没(有|啥|什么)?(盼头|奔头|指望)|"
    r"没(啥|什么|有)?活头|(有|还有)(啥|什么)活头|活够了|没有活路|没活路|活不成|活不下去|没法活|不如死|想死|去死|"
    r"(跳楼|跳河|跳江|跳海|跳湖)(?!价|救|牺牲)|跳下去|上吊|割腕|一死了之|一死百了|一了百了|(怎么|咋|如何|怎样)(才能|能|去)?死(?!的|亡|了)|熬不下去|撑不下去|想不开|"
    r"(结束|了结|了断|终结)(掉)?(我|自己|我自己)?(的)?(生命|性命|这条命|这一生|自己)|"
    r"不想(再)?(拖累|连累)|累赘|睡过去.{0,4}(别|不要|不)醒|睡着.{0,3}(别|不)醒|不想醒|永远睡|遗书|遗言|"
    r"活着(还)?有(什么|啥)(意思|意义|盼头|用)|活(着|得)(真|太)?累|不如早点走|早点走了算|结束(这)?一切|"
    r"拖累(我的)?(孩子|家里|家人|你们|老婆|配偶|老伴|媳妇|儿女|娘俩|全家|他们|她们)|我走了(他们|你们|家里|孩子)|"
    r"(死|走)(了|掉)(算了|拉倒|干净|得了|省心)|不如(早点)?(走|死)(了)?(干净|算了|痛快|拉倒|省心)"
)
# A means of self-harm with a verb of using it, in either order ("百草枯…我想喝了算了",
# "把煤气打开", "开煤气", "炭和胶带…车里"), a hoard of pills, standing on a ledge. A means
# named alone ("安眠药能报销吗", "农药补贴什么时候发") is no cue.
POISON = r"(农药|敌敌畏|百草枯|老鼠药|耗子药|毒鼠强|毒药|除草剂|杀虫剂|硫酸)"
SWALLOW = r"(喝|吃|吞|服|灌|咽)"
GAS = r"(煤气|天然气|液化气)"
PILLS = r"(安眠药|安定片|药片|药丸|药)"
# a ledge to stand on, not a roof one goes up to for chores ("上楼顶晒被子摔了一跤")
LEDGE = r"(楼顶|天台|窗台|楼沿|楼边|桥上|大桥上|桥栏)(?!晒|收|修|装|拿|找|干活|施工|乘凉|看风景|钓鱼|种)"
# poison swallowed or held, quieted by ``asks_about_money`` ("误喝了农药，抢救费能报销吗")
# and, when held, by farm work ("拿着农药去地里打药")
POISON_TAKEN = re.compile(rf"{POISON}.{{0,12}}{SWALLOW}|{SWALLOW}.{{0,4}}{POISON}")
POISON_HELD = re.compile(rf"(拿|握|抱|攥|捧)着.{{0,2}}{POISON}")
FARM_WORK = re.compile(r"打药|喷|地里|田里|庄稼|果树|棉花|虫|除草|种子|大棚|菜地")
_AMOUNT = (
    r"[一二两三四五六七八九十几好多不少半整满大小]{0,3}(瓶|盒|抽屉|把|堆|袋|罐|板|片|粒)?(的)?"
)
MEANS_USED = re.compile(
    rf"{POISON}(拿|藏|放|带|揣)(到|在|进)(了)?(自己|他|她)?(的)?(屋|房|床|枕头|身上)|"
    rf"{POISON}.{{0,4}}(倒|灌)(在|进)(了)?(杯|碗|嘴)|"
    rf"{GAS}(罐)?(阀门)?(都|给)?(打开|拧开|开着|放出来)|(打开|拧开|开)(着|了)?{GAS}(?!灶|做饭|炉|户|费|公司|站)|"
    rf"放(了)?{GAS}(?!罐|灶|做饭|炉|费)|"
    r"(绳子|绳|皮带|围巾|床单).{0,8}(吊|房梁|梁上|门框|脖子)|(挂|套|勒)(在|住|上)?(自己)?(的)?脖子|吊死(?!鬼)|"
    r"(吊|淹|撞|毒|烧)死(我|俺)?自己|(淹|摔|撞|毒|喝)死(了)?(算了|拉倒|得了|干净)|"
    r"(刀|刀片|剪刀|玻璃|碎玻璃|匕首)(子)?(架|抵|顶|比|对着|对准)(在)?(自己|我|俺|他|她)?(的)?(脖子|手腕|喉咙|胸口|心口|肚子)|"
    r"(割|划|捅|砍)(自己|我自己)(?!家|的)|自焚|(浇|泼)(上|在)?(自己|身上).{0,2}汽油|汽油.{0,4}(浇|泼)(在)?(自己|身上)|"
    r"烧炭|炭.{0,10}(胶带|车里|车内|封死|密封|门窗)|(胶带|车里|车内|门窗).{0,10}炭|"
    rf"攒(了|着|下)?{_AMOUNT}{PILLS}|{PILLS}(我|都|也|已经|偷偷)*攒|"
    rf"存(了)?.{{0,4}}安眠|(一瓶|一把|整瓶|一盒|全部|所有)(的)?{PILLS}?(都|全)?(吃|吞|喝)(了|下去|掉)|"
    rf"{PILLS}(全|都)(吃|吞)(了|掉|下去)|"
    r"(河|江|湖|海|水库|水塘|池塘)(边|里)?.{0,6}(走进去|跳进去|跳下去|沉下去|走下去)|"
    rf"(站|坐|蹲|待|爬|趴)(在|到|上)?(了)?{LEDGE}|{LEDGE}(上|边|边上)?(站|坐|蹲|待)(着|了)|"
    rf"(现在|正|正在|已经|就|还)(站|坐|蹲|待)?在.{{0,4}}{LEDGE}|"
    rf"(现在|正|正在|已经|就)(站|坐|蹲|待|爬)(在|到|上)(了)?.{{0,14}}{LEDGE}|"  # 就站在…那栋楼顶上
    rf"(我|俺)(就|要|想|明天就|今天就|今晚就|这就)(去|上|爬上|爬到)(了)?.{{0,6}}{LEDGE}"
)
# Life called worthless ("活着是多余的", "活着就是拖累我们娘俩"); not "活着的时候没用过".
LIFE_NEGATED = re.compile(
    r"活(着|下去|在世上|在这世上)(?!的时候|的时|那会|期间|的人|的老|的战友|的兄弟|回来)"
    r".{0,8}(多余|拖累|负担|累赘|受罪|遭罪|煎熬|折磨|白活|废物|没劲|"
    r"没(有)?(任何|一点|半点|啥|什么|多大)?(意思|意义|用|盼头|奔头|指望))|"
    r"(我|俺)死了.{0,8}(过好|过得好|好过|解脱|轻松|省心|少受罪)"
)
# Wishing to have died or to join the dead ("当年就该跟他们一块走了", "当年要是死在战场上就好了").
_DEAD = r"(牺牲|死去|去世|死了|过世|故去|逝去|早走|走了)(了)?的?(老)?"
_KIN = r"(战友|兄弟|老伴|亲人|爹娘|父母|老婆|老头子?|男人|媳妇)"
_NOT_A_SEARCH = r"(?!.{0,6}(家|亲|墓|坟|遗|后人|子女|孩子|名|信息|照片|陵|烈士|档案|资料|下落|埋|安葬|联系|地址|在哪))"
DEATH_WISH = re.compile(
    r"(当年|当初|那时候?|那会儿?).{0,10}(死|牺牲|走)(在|了|掉).{0,8}(就好了|多好|才好|倒好|也好|算了)|"
    r"(怎么|咋|为啥|为什么)(没|不)(死|牺牲)在|"
    r"(?<!应)(就|早|也)?该(跟|和|随|陪)(着)?.{0,8}(一块|一起|一同|一道)?(走|死)(?!流程|程序|路|访|亲戚|动|一趟)|"
    r"(早|就)该(跟|和|随|陪)(着)?.{0,8}(一块|一起|一同|一道)?去(的|了)|"
    r"(想|要|说要|说想|准备)(去)?(找|陪|见|跟)(他|她|我)?(的)?(那些|那帮|那几个)?"
    + _DEAD
    + _KIN
    + _NOT_A_SEARCH
    + r"|(他们|她|他|战友|兄弟|老伴)(都)?(在)?(下面|那边|地下)等(着)?(我|俺)"
)
# Harm to others: a killing verb with a person, a weapon carried somewhere, arson, blows at home.
_ROLE = r"(领导|干部|局长|书记|村支书|支书|主任|办事员|工作人员|老板|当官的)"
_PERSON = (
    rf"((那个|那帮|这个|这帮|那些|这些|那几个)?(他|她|你|他们|她们|你们|全家|一家|一家人|全家人|邻居|{_ROLE})|"
    r"(那个|那帮|这个|这帮|那些|这些|那几个)\S{0,3}(长|书记|主任|干部|办事员|工作人员|家伙|混蛋|王八蛋))"
)
_PERSON_WORD = rf"(他|她|你|他们|她们|你们|全家|一家|邻居|{_ROLE}|\S(长|书记|干部))"
_KILL = r"(杀|砍|捅|宰|剁|劈|弄死|整死|搞死|打死|掐死|毒死|砍死|捅死)"
WEAPON = (
    r"(刀|菜刀|砍刀|匕首|斧头|斧子|汽油|煤气罐|液化气罐|炸药|雷管|枪|硫酸|铁棍|棍子|锤子)"
    r"(?!具|伤|口|疤|片|切|削|做饭|杀猪|宰|砍柴|劈柴)"
)
CARRY = r"(拎|带|拿|揣|提|扛|背|握|举|抄|藏)(着|上|了)?(把|瓶|桶|罐|一把|一桶|一瓶|一罐)?"
HARM_OTHERS = re.compile(
    rf"(?<!被){_KILL}(了|死|掉)?{_PERSON}(?!们|也|都|的|家的)|把\S{{0,4}}{_PERSON_WORD}.{{0,4}}(全|都)?{_KILL}|"
    rf"(杀|弄死|整死|搞死|打死|掐死)(了)?(我|俺)(?!也|都|的)|"
    rf"{CARRY}{WEAPON}|{WEAPON}(都|也|已经)?(磨|准备|备|买|灌)(好|齐)了|(准备|买|备|灌|磨)(好|了)+(了)?{WEAPON}|"
    r"见血|血溅|放(他|你|他们)的?血|血债血偿|门口点火|杀人(?!犯|案|罪|放火的)|"
    r"(跟|和)(他们|他|你们).{0,2}拼了|同归于尽|报复社会|炸了|放(把|一把)?火|点火烧|"
    r"烧(了|光|掉)(他们|你们|那个|这个)?(的)?.{0,4}(办事处|政府|局|大楼|办公室|房子|单位|大院|服务站)|烧光|"
    r"(我|俺)(就|要|非|去|明天|今晚).{0,4}把.{0,8}(房子|屋|楼|办公室|政府|局|车|大院|办事处|服务站)(给)?(点了|点着|烧了|烧掉)|"
    r"拼命|动刀|(找|跟).{0,12}算账|要他(的)?命|拉(个)?垫背|(大家|一起|一块)(一起|一块)?死|"
    r"(一起|一块|一同)(完蛋|玩完)|(让|叫|要)(他|她|他们|你们)(好看|吃不了兜着走)|"
    r"(砸|掀)(了|烂|掉)?(他们|你们)?(的)?(办公室|信访局|局里|政府|大门|窗户|单位)|"
    r"把(他们|你们)?(的)?(办公室|信访局|局里|政府|大门|窗户|单位)(给)?(砸|掀|烧)|"
    # violence at home: beaten into hospital, strangled, threatened with broken legs
    r"打(进|进了)医院|打得?(住院|进医院|进了医院)|打(伤|残)(了)?(我|她|俺)|打(断|折|残)(了)?(我|俺|她|他|你)的?(腿|胳膊|手|肋骨)|"
    r"掐(着|住)?(我|她|他|俺)?的?脖子|家暴|"
    r"(天天|经常|老是|总是|动不动就?|一喝酒就|喝了酒就|喝多了就)打(我|俺|她|孩子|老婆|配偶|媳妇|女儿|儿子)(?!电话|手机|游戏)"
)
# Indirect danger, often reported by a relative: wanting to join the dead ("老念叨要去找他牺牲的
# 战友"), settling one's affairs, giving things away and the family is frightened.
INDIRECT_HARM = re.compile(
    r"(念叨|老说|总说|常说|一直说|天天说|老是说|总是说|嘴里说|叨叨|说着)(着)?(要|想)?(去)?(找|陪|见|跟)(他|她|我)?(的)?(那些|那帮|那几个)?"
    + _DEAD
    + _KIN
    + r"(?!的?(家|亲|墓|坟|遗|后人|子女|孩子|名|信息|照片|陵|烈士|档案|资料|下落|埋|安葬))|"
    r"(下去|到那边去?|去那边|去地下|到地下)(陪|找|见)(他|她|老伴|老头子?|男人|媳妇|老婆|战友|老战友|爹娘|父母)|"
    r"随(他|她|老伴)而去|(交代|交待)(好|完|了)?后事|后事(都|也|已经)?(交代|交待)(好|完)?了|"
    r"(存折|银行卡|存款|积蓄|房本|房产证|值钱的东西).{0,8}(交给|交代给|给了|留给|分给|送人).{0,24}"
    r"(发慌|心慌|担心|害怕|不对劲|反常|不放心|吓人)"
)
# Farewell signs in the veteran's own words. Strong ones are enough alone ("下辈子再报答你们");
# weak ones only in pairs from different kinds, so "对不起家里人" in an ordinary complaint, or
# "药买好了吗" about reimbursement, raise no alarm, but "药都买好了，这辈子就这样吧" does.
FAREWELL = re.compile(
    r"下辈子(再|还|一定|接着|好好)|来世再|来生再|永别|诀别|最后一次(跟|和|给)(你们|大家|家里)|"
    r"(跟|和|向)(这个)?世界(告别|说再见|道别)|告别(这个)?世界|离开(这个)?(世界|人世)|"
    r"(从|在)(这个)?世界(上)?消失|永远消失|"
    r"(农药|老鼠药|耗子药|敌敌畏|百草枯|毒药|安眠药|绳子)(都|也|已经|早就?|我)?(买|准备|备|弄|找)(好|齐|到)了|"
    r"(东西|存款|积蓄|存折|银行卡|房子|家当|钱)(都|全|全部)?(分|送|留|交代)(给)?(孩子们?|儿女|他们|你们|人)?(了|好了).{0,10}"
    r"(以后|往后|后面)(就)?(靠|交给|拜托)(你们|你|孩子)"
)
_WEAK = (
    # ready: medicine, a rope or charcoal got hold of, with nothing asked about it
    re.compile(
        r"(药|药片|绳子|炭)(和.{1,3})?(都|也|已经|早就?|我)(买|准备|备|攒|存|找)(好|够|齐)了(?!吗|没|么|不)|"
        r"(拿|握|攥)着绳子"
    ),
    # sorry to the family, or asking them not to grieve or look for you
    re.compile(
        r"对不起(我的)?(家里人|家人|老婆|老伴|孩子|孩子们|儿女|爹娘|父母|老人|你们|大家|媳妇|爸妈|全家|一家人|家里)|"
        r"(别|不要|莫)(怪|恨|找|难过|伤心|想)我|原谅我|替我照顾|照顾好(自己|孩子|妈|你妈|老人|家里)"
    ),
    # resigned to the end
    re.compile(
        r"这辈子(就|也就)?(这样|这么样|到头|完)(了|吧)|这辈子(算|就)完了|活到头了|没什么(可|好)?留恋|"
        r"该走了|(我|俺)走(了)?以后|我走后|(我|俺)不在了(以后)?|不想再(拖累|麻烦|连累)|"
        r"(我|俺)(要是|如果|万一|哪天)(走|死|不在)了"
    ),
    # out of reach after it, as a relative reports ("电话打不通", "一直关机")
    re.compile(r"(电话|手机)(也|一直|怎么)?(打不通|关机|没人接)|联系不上|找不到(他|她)(的)?人"),
    # low for a long time
    re.compile(r"抑郁|(一直|整天|天天|好几天)(哭|不说话|不吃饭|不出门|躺着)"),
    # saying goodbye to people one by one
    re.compile(r"(挨个|一个个|逐个).{0,10}(再见|告别|道别)|说(声)?再见了|最后(一)?(个|次)电话"),
    # worth nothing to anyone
    re.compile(
        r"(我|俺|自己)(就)?(是|成了)(个)?(家里|家人|孩子|儿女|大家)?(的)?(负担|累赘|包袱|废人|废物|多余的人)|"
        r"(谁|没人|没有人)(也|都)?不需要我|没(人|有人)在乎(我)?|一事无成"
    ),
    # leaving the pension or savings to someone, as an instruction
    re.compile(
        r"(麻烦|拜托|求求?)(你们|你)?.{0,12}(转给|交给|留给)(我妈|父母|老伴|配偶|老婆|孩子|儿女|女儿|儿子|家里)"
    ),
)


def farewell_signs(text: str) -> bool:
    """A strong farewell sign, or weak signs of two different kinds (see ``FAREWELL``)."""
    if FAREWELL.search(text):
        return True
    return sum(1 for pattern in _WEAK if pattern.search(text)) >= 2


# A question about money or a benefit, with no wish of one's own in it: "安眠药能不能报销",
# "今年的农药补贴什么时候发". It quiets only ``MEANS_USED``, never a plain statement of intent.
MONEY_QUESTION = re.compile(
    r"报销|补贴|补助|优惠|多少钱|费用|价格|能报|给报|赔偿|保险|能不能|可以吗|能否"
)
_NOT_ASKING = r"(?!问|咨询|了解|申请|办|知道|请教|查)"
OWN_INTENT = re.compile(
    rf"(我|俺|真|好|就)想{_NOT_ASKING}|(我|俺)(就|要|准备|打算|今晚|今天|明天|这就){_NOT_ASKING}|"
    r"算了|不想活|一死|死了"
)


def asks_about_money(text: str) -> bool:
    return bool(MONEY_QUESTION.search(text)) and not OWN_INTENT.search(text)


def _in_danger(text: str) -> bool:
    """Self-harm or harm to others in one wording of the message."""
    if POISON_TAKEN.search(text) and not asks_about_money(text):
        return True
    if POISON_HELD.search(text) and not asks_about_money(text) and not FARM_WORK.search(text):
        return True
    return any(
        pattern.search(text)
        for pattern in (SELF_HARM, MEANS_USED, LIFE_NEGATED, DEATH_WISH, HARM_OTHERS, INDIRECT_HARM)
    ) or farewell_signs(text)


# A crowd: strong words alone (集体信访, 静坐, 堵门); otherwise a group, a trip to a government
# place, and pressure or coordination together — "十几个老兵商量好了一块去乡政府要个说法",
# but not "我们老兵合唱团想去省里参加比赛" nor "几个战友组团去北京看升旗".
CROWD = re.compile(
    r"集体信访|集体(去|进|上|到|赴)|集访|聚集|堵门|堵路|围堵|游行|示威|串联|拉横幅|静坐|"
    r"堵.{0,4}(政府|大门|门口|局|大院|路)|"
    r"(去|到|上)(省里|省城|市里|北京|政府).{0,8}讨(个)?说法|"
    r"(带上|带着|叫上|组织|喊上).{0,3}(几十|上百|一百|好多|很多|一帮|一群|几百)(个|号)?(人|战友|老兵)"
)
_CROWD_SIZE = (
    r"(\d{2,}|几十|好几十|几百|上百|上千|数十|数百|[二三四五六七八九][三四五六七八九]十|"
    r"[一二两三四五六七八九几]?[十百千][一二两三四五六七八九几]?)(来|多|余)?(个|名|位|号|人)"
)
_GOV = (
    r"((乡|镇|县|区|市|省)(里|城|厅|委|府|政府|信访局|信访办)|政府|大院|北京|京城|天安门|中南海|部里|"
    r"信访局|信访办|事务局|民政局)"
)
# a crowd being gathered: its size, or a call to come
CROWD_SIZE = re.compile(_CROWD_SIZE)
CALL_TO_COME = re.compile(
    r"越多越好|互相(转告|通知|转发)|能来的都来|都叫上|号召|召集|串联|发(个)?通知|报名"
)
GROUP = re.compile(
    rf"{_CROWD_SIZE}|{CALL_TO_COME.pattern}|大家|大伙|战友们|兄弟们|老兵们|老战友们|退役军人们|群里|"
    r"一帮|一群|好多人|很多人|全县|全市|全省|集体|统一|组团"
)
GOV_TRIP = re.compile(rf"(去|到|上|赴|进)(了)?.{{0,6}}{_GOV}|{_GOV}.{{0,6}}(集合|集结|会合|碰头)")
# what the crowd is for: pressure at a gate, or a plan agreed among many
PRESSURE = re.compile(
    r"(讨|要)(个)?(说法|公道)|门口|大门|闹|集合|集结|统一行动|让(领导|他们|大家)看看|不(给)?解决就不走|"
    r"信访|横幅|条幅"
)
AGREED = re.compile(r"约好|约了|商量好|说好|一起|一块|准备|打算|定好")
BENIGN_TRIP = re.compile(
    r"旅游|升旗|聚会|聚餐|比赛|演出|参观|祭扫|扫墓|看望|游玩|景区|免票|门票|经费|饭店|酒店|办(优待证|事|证)|"
    r"体检|培训|开会|学习|优惠|报销|表彰|大会|会议|慰问|座谈|典礼|联欢|登记"
)
CROWD_PLAN = re.compile(
    r"(政府|信访局|信访办|事务局|市委|县委|省委|区委|大院)(的)?(门口|大门口|大门|门前|广场)(去)?"
    r"(坐着|坐下|坐一天|坐几天|躺着|跪着|堵着|守着|蹲着|拉横幅|打横幅|举牌)|"
    rf"(去|到|上|进)(了)?.{{0,4}}{_GOV}.{{0,12}}(闹大|闹一闹|闹一场|大闹|闹事)|(闹大|闹一闹|闹一场|大闹).{{0,12}}(去|到|上|进){_GOV}"
)
# Going to Beijing to petition (越级访), or threatening to: urgent. A trip to Beijing is not
# ("优待证去北京旅游能用吗"), nor asking whether one may ("能直接去北京信访吗" → the KB).
BEIJING = re.compile(
    r"(去|进|上|到|赴)(北京|京城|京)[^，。！？!?]{0,8}(上访|信访|告状|反映|讨(个)?说法|找(部里|中央|国家|领导))|"
    r"进京(上访|访|告状)|赴京|"
    r"(不|没)(人)?(给|帮)?(我|我们|俺)?(解决|管|处理).{0,8}就.{0,4}(去|上|到)(北京|京城)|"
    r"(去|到|上)(省里|省城|省政府|部里).{0,4}信访"
)
MAY_I = re.compile(
    r"能不能|能否|可不可以|可以不|行不行|允许|合法|违法|(能|可以).{0,12}(吗|么|不)[？?]?$"
)


def _crowd(norm: str) -> bool:
    if CROWD.search(norm) or CROWD_PLAN.search(norm):
        return True
    if BEIJING.search(norm) and not MAY_I.search(norm):
        return True
    if not (GROUP.search(norm) and GOV_TRIP.search(norm)) or BENIGN_TRIP.search(norm):
        return False
    if PRESSURE.search(norm) or CALL_TO_COME.search(norm):
        return True
    return bool(AGREED.search(norm) and CROWD_SIZE.search(norm))


def crisis_action(norm: str, plain: str | None = None) -> str | None:
    """``crisis:self`` (self-harm, harm to others), ``crisis:crowd``, or None."""
    words = (norm, plain) if plain else (norm,)
    if any(_in_danger(w) for w in words):
        return "crisis:self"
    if any(_crowd(w) for w in words):
        return "crisis:crowd"
    return None


# "你是机器人还是真人？": who is answering — say so and offer a human, don't hand off yet
_AGENT = r"(机器人|机器|真人|真的人|人工|活人|人|ai|人工智能|智能客服|自动回复|电脑|程序)"
BOT_OR_HUMAN = re.compile(
    r"^(你好|您好|喂|请问|同志|小助手)*(你|您|这|这个|对面|你们|跟我聊天的|回复我的)?(到底|究竟)?(是|是不是)(个)?"
    + _AGENT
    + r"(还是|或者|或是)?(个)?"
    + _AGENT
    + r"?(在)?(回复|回答|回|聊天|说话)?(的)?(啊|呀|呢|吗|吧|么|嘛|哦)*$"
)
HANDOFF = re.compile(
    r"^(转)?人工(客服|服务)?$|转人工|人工客服|找人工|真人|活人|找(个)?工作人员|跟工作人员|联系工作人员|"
    r"转(人公|人宫|仁工|认工)|(转|交)(给|到|接)(你们的?)?(工作人员|人工|真人|客服)|"
    r"打电话给我|给我回电话|回个电话|不要机器人|不跟机器人|机器人听不懂|机器人说不明白|找客服|"
    r"(找|叫|让|见|约)(你们)?(的)?(领导|局长|主任|负责人)|(找|叫)(个)?负责人|有人(管|理)吗|"
    r"(给我|跟我)?(打|回)(个|一个)?电话(给我)?$|有人给我打(个)?电话|(跟|和|找).{0,10}(的人|工作人员)(联系|说|谈)|不会打字|"
    r"打字(太|好|真|很|挺|实在)?(累|慢|费劲|费事|麻烦|难|困难|吃力)|不方便打字|懒得打字|打不了字|"
    r"(有没有|有啥|有什么|给个|给我个|留个|给我一个)(人工)?(电话|手机号|号码).{0,6}(问|打|说|咨询|联系|聊)"
)
END_HANDOFF = re.compile(r"^结束人工$|^退出人工$|^回到机器人$")

_QUESTION = r"谁|多久|多少|几天|几个月|怎么|如何|什么|啥|咋|吗|么$|能不能|可不可以|可以不|有没有|是否|规定|条件|流程|要求|时限|期限|哪|会不会|要不要|算不算|是不是|有影响|影响不"
QUESTION = re.compile(_QUESTION)
WANT = r"(我|俺|咱|我们|想|要|帮我|给我|替我|请|麻烦)"
# "我想写封信反映…", "我想反映我们村…": wanting to file, in any words after the verb
LETTER = r"(给(你们|领导|政府|局里))?(写|寄)(一)?(封|个)?(信|材料)(给(你们|领导|政府|局里))?"
PETITION_START = re.compile(
    rf"^{WANT}+(要|想|需要)?({LETTER}|写)?(信访|投诉|举报|申诉|告状|反映情况|反映个|反映一下)|"
    rf"^{WANT}*(要|想|需要|打算|准备)({LETTER})?反映|^{WANT}*(要|想|需要)?{LETTER}|"
    r"^(我|俺|咱)(们|家)?(这)?有(个|件|一个|一件|点|些|几个|几件)?(问题|情况|事情|事儿|事)(想|要|得|需要)?(跟你们|向你们|给你们)?反映|"
    # 上方/上防 typed for 上访 (上方 is an ordinary word, so only after a wish to go: "我要上方")
    rf"^{WANT}*(要|想|得|打算|准备)(去)?(上方|上防|上纺|上仿|尚访|伤访)|"
    r"^(我要|我想)?(实名)?(投诉|举报)(?!了|会|是|匿名|人|的|电话|热线|有|要|能|可以|怎|去哪|到哪|流程|材料)|"  # 实名投诉…
    r"(我|俺)(就|必须|一定|非|还)?(要|想|得)(去)?(正式|实名|书面)?(信访|投诉|举报|申诉|告状|反映)(?!的|吗|么|怎|哪|去哪|找谁)|"  # after a story
    r"(问题|事情|事儿|情况)(想|要)(反映|投诉|举报)(一下)?|"  # "我的安置问题想反映一下"
    rf"(投诉|举报)(一下|他们|你们|他|她|单位|村里|镇里)|一直(没|不)(解决|给|落实|处理)|(没人|不)管(我|俺)|没人管$|一直没有?人管|"
    r"踢皮球|推来推去|推三阻四|不作为|拖了.{0,3}(年|个月)(?!.{0,2}才)|"
    r"(一直|总是|老是|就是)?拖着(不|没)(给)?(办|解决|处理|落实)"  # not "拖了两个月才去报到" (their own delay)
)
PETITION_LOOKUP = re.compile(
    r"(信访|反映|投诉|举报|申诉|受理编号|受理号|查询码|回执|工单).{0,24}(进度|进展|办到哪|怎么样了|有没有结果|处理得怎么样|到哪一步|"
    r"有结果了|有回音|有消息了|谁在(处理|办|管)|处理到哪)|"
    r"(提交|交|反映)(的|了).{0,12}(有结果了|有回音了|有消息了)|"
    r"查询进度|查进度|查一下进度|(进度|进展)查询|xf-?\d{8}"
)
# "受理编号忘了，还能查进度吗": the lookup flow needs the number, so answer how to get help instead
LOST_RECEIPT = re.compile(r"忘|不记得|记不得|记不清|想不起|丢失|没保存|删了|找不")
FOLLOW_UP = r"(复查|复核)"
# what a 复查/复核 challenges (不服/不认可/不同意 are folded to 不满意 by normalize)
ANSWER = r"(信访)?(处理意见|办理意见|答复意见|答复|处理结果|办理结果|处理决定|复查意见|复核意见)"
FOLLOW_UP_START = re.compile(
    rf"^{WANT}*(要|想|需要|准备)?(申请|提出|提交|请求|要求)(一下|个)?(信访)?{FOLLOW_UP}|"  # 我要申请复查
    rf"^{WANT}+(再)?{FOLLOW_UP}|"  # 我要复查
    rf"^(信访)?{FOLLOW_UP}申请$|"  # 复查申请 (a label)
    rf"^(我|俺|咱)(们|家)?.{{0,12}}{ANSWER}.{{0,4}}不满意|"  # 我对处理意见不服
    rf"^(我|俺|咱)(们|家)?(还是)?不满意.{{0,8}}{ANSWER}|"  # 俺不服那个信访处理意见
    rf"{ANSWER}.{{0,4}}不满意.{{0,6}}(想|要)(申请|提出|请求)?{FOLLOW_UP}"  # 对答复不满意想复查
)
# "申请复查能行不" asks about the rules, like QUESTION (plus a few spoken forms)
FOLLOW_UP_ASKS = re.compile(
    _QUESTION + r"|咋|怎|多长|几|为啥|为什么|还能|呢$|(能|可以|行|可)\S{0,10}(不|吗|没|么)$"
)
FOLLOW_UP_WANTS = re.compile(rf"^(我|俺|咱)(们)?(要|想|得)(申请|提出|请求)?{FOLLOW_UP}")
CARD_STATUS = re.compile(
    r"优待证.{0,10}(办到哪|到哪一步|进度|进展|怎么还没|还没下来|还没拿到|什么时候能拿|审核到哪|状态|"
    r"(还|一直|迟迟|咋还|怎么还)(没|不)(到|到手|发|发下来|下来|拿到|收到|领到|来|消息|动静))|"
    r"(还|一直|迟迟)(没|不)(拿到|收到|领到|发)(手)?(我的|俺的)?优待证"
)
# a bare "年审": people mean the card's or the yearly 年度确认 — the entry that tells the two apart
BARE_NIANSHEN = re.compile(
    r"^(我|俺|我们|俺们)?(的)?(这个|那个)?年审(到底|究竟)?(是什么|是啥|是干啥的|是干啥|干啥的|干啥|怎么弄|怎么办|怎么做|怎么搞|"
    r"咋办|咋弄|咋整|咋做|咋个弄|咋个办|咋个做|咋个搞|"
    r"(在|去)哪(处|里)?(做|办))?(啊|呀|呢|哈|嘛)?$"
)
# "显示初审通过，这是到哪一步了" names the stage: it asks what the stages are (FAQ), not for a lookup
CARD_STAGE = re.compile(r"初审|复审|市级审核|省级审核|备案|制卡")
CARD_KIND = r"(退役军人|烈士遗属|遗属|军人)?(的)?"
# relatives, after synonyms (我妈→父母, 老婆→配偶, 老爷子→老人): "帮我婆婆", "替俺爷爷"
KIN = (
    r"((我|俺|咱)(家|们家)?(的)?)?(父母|家人|家里人|老人|爷爷|奶奶|外公|外婆|姥姥|姥爷|公公|婆婆|岳父|岳母|"
    r"老丈人|丈人|丈母娘|老伴|配偶|亲戚|孩子|儿子|女儿|儿媳|女婿|大爷|大娘|叔叔|伯伯|舅舅|姑姑|哥哥|姐姐|弟弟|妹妹|"
    r"战友|老战友)|我|俺"
)
FOR_FAMILY = rf"((给|替|帮)({KIN}))?"
CARD_START = re.compile(
    rf"^{WANT}*(要|想|需要|准备)?{FOR_FAMILY}(申请|办|弄|领|拿|开始)(一)?(个|张|下|一下)?{CARD_KIND}优待证(吧|呀|啊)?$|"
    rf"^(帮|给|替)({KIN})\S{{0,4}}(申请|办|弄)(一下|一个|一张)?{CARD_KIND}优待证|"
    r"^优待证(申请|办理)$"
)
_THIS_YEAR = r"(一下|下|个|一个)?(今年|本年度|年度|这次|这回|今年度)?(的)?"
_CERT = r"(生存认证|年度确认|年审|认证)"
SURVIVAL_START = re.compile(
    rf"^{WANT}*(要|想|需要|准备)?{FOR_FAMILY}(做|办|搞|弄|进行|预约|开始|启动){_THIS_YEAR}{_CERT}(一下)?(吧|呀|啊)?$|"
    rf"^(帮|给|替)({KIN})\S{{0,2}}(做|办|搞|弄|进行)?{_THIS_YEAR}{_CERT}(一下)?(吧|呀|啊)?$|"  # 帮我妈做下今年的认证
    r"^(生存认证|年度确认)(申请)?$"  # the bare menu label (web chat buttons)
)
# "我要预约上门认证", "想请工作人员上门做认证": the flow, with the home visit already chosen
HOME_VISIT_START = re.compile(
    rf"^{WANT}*(要|想|需要)?{FOR_FAMILY}(申请|预约|约|请|叫|让|安排)?(一下|下|个)?(工作人员|你们|人)?"
    rf"(上门|到家|来家里?)(来)?(做|办|给)?(个|一下)?(生存认证|认证|年审|年度确认|确认)(服务)?(吧|呀|啊)?$"
)
GREETING = re.compile(
    r"^(闺女|姑娘|小姑娘|小伙子|小同志|师傅|大姐|大哥|孩子)?((你好|您好|泥好|尼好|你号|妳好|你们好|哈喽|hello|hi|嗨|在吗|在不在|在么|在没|在不|在没在|在嘛|有人吗|有人在吗|有没有人|有人没|有人不|有人么|有人嘛|"
    r"有人在没|有人在不|有人在么|有人在没有|有没有人在|人呢|喂|请问|早上好|上午好|中午好|首长好|战友好|战友们好|同志们好|领导好|"
    r"下午好|晚上好|早|早安|老师好|同志|小助手|机器人)(啊|呀|呢|哈)?)+$"
)
# "老兵向你报到！": a veteran reporting in is a greeting, not the 退役报到 procedure
_OLD_SOLDIER = r"(老兵|老战士|老战友|退伍老兵|退役老兵|老军人|老同志|老班长)"
_SOLDIER = rf"({_OLD_SOLDIER}|战友|退役军人|退伍军人|军人)"
_TO_YOU = r"(向|跟|给)(你|您|组织|大家|首长|小助手|机器人)(们)?"
SALUTE = re.compile(
    rf"^(我是)?(一名|一个|一位)?({_OLD_SOLDIER}(前来|来)?({_TO_YOU})?|{_SOLDIER}?(前来|来)?{_TO_YOU})"
    r"(报到|报告|敬礼|问好)(了|啦|喽|咯)?(有人(在)?吗|有人没|在吗|你好|您好)?$"
)
THANKS = re.compile(
    r"^((谢谢|谢谢你|谢谢您|多谢|感谢|麻烦你了|好的|好|行|嗯|知道了|明白了|清楚了|懂了|收到|ok|再见|拜拜|辛苦了|辛苦|"
    r"同志|小同志|小伙子|姑娘|闺女|你|您)(啦|了|啊|呀|哈)?)+$"
)
_CALL = r"(你好|您好|哈喽|hello|hi|嗨|喂|在吗|请问|小助手|机器人|同志|老师)*"
HELP = re.compile(
    rf"^{_CALL}(帮助|菜单|主菜单|功能|怎么用|help|menu|你是谁|你是干什么的|你是做什么的|你是(不是)?(机器人|人工智能|ai)(吗|吧)?|"
    r"(你|您|小助手|机器人|这个机器人|这个小助手|你们)?(都|还|一般)?(能|会|可以)(帮我|帮俺|给我|为我)?(干|做|办|帮|管|弄)?(点|些|一些)?"
    r"(啥|什么|哪些)(事|事情|事儿|忙|业务|功能)?|(你|您|你们|小助手|机器人)?有(啥|什么|哪些)功能)"
    r"(啊|呀|呢|哈|嘛)?$"
)
# "這裡可以問退役軍人的事嗎": may I ask here — yes, and what about (the menu)
CAN_I_ASK = re.compile(
    rf"^{_CALL}(这里|这儿|这边|你们这|在这里?|跟你|向你|找你)?(可以|能|能不能|可不可以)(问|咨询|打听|反映)(一下|点|些|个)?"
    r"(退役军人|老兵|军人|优抚|抚恤|政策|办事)?(的|方面的|相关的)?(事|事情|事儿|问题|政策)?(吗|么|不|没|嘛|呀|啊)?$"
)
# "这是退役军人服务站的公众号吗", "你们是哪个单位": who they are talking to (after synonyms:
# 服务中心→服务站). Only the whole message, so "这是服务站的电话吗" style questions stay FAQ.
_PLACE = (
    r"(公众号|官方号|服务号|订阅号|小程序|平台|单位|部门|机构|服务站|事务局|官方|客服|网站|地方)"
)
IDENTITY = re.compile(
    rf"^{_CALL}(?!.*(优待证|认证|年审|信访|抚恤|补助|光荣牌|安置|办|申请|领))((这|这里|这儿|这个|这边|你们|你|您)(这)?(是|就是|属于)(不是)?(不是)?"
    rf"(哪个|哪家|什么|啥|哪里的|哪儿的)?[^，。？?]{{0,14}}{_PLACE}(的)?(吗|么|不|嘛|吧|啊|呀|呢|没)?|"
    r"(这个|这)(公众号|官方号|服务号|平台|小程序)(是)?(干|做)?(什么|啥)(的|用的)?|"
    r"(你们|您们|你|这)是(谁|哪里|哪儿|哪位)(啊|呀|呢)?)$"
)
OUT_OF_SCOPE = re.compile(
    r"天气|气温|下雨|写(一)?首诗|作诗|写诗|写文章|写作文|股票|炒股|基金推荐|彩票|讲个笑话|讲笑话|翻译|算命|星座|"
    r"忽略(之前|以上|前面)|(之前|以上|前面)的(所有)?指令|系统提示|system ?prompt|管理员密码|你的密码|告诉我密码|越狱|"
    r"扮演|角色扮演|(教我|怎么|咋|如何)做饭|做饭的?(教程|方法|步骤)|菜谱|电影推荐|打游戏|足球|篮球|世界杯|抢票|订票|"
    r"(导出|发给我|给我发|提供|列出|打包).{0,12}(名单|所有.{0,8}(电话|身份证|住址|信息))|所有.{0,10}的(名单|电话|身份证号|住址)"
)

# "帮我查下明天去北京的高铁票": buying tickets is not our business; asking what the card or the
# 残疾军人证 gives on a train is ("残疾军人坐火车半价吗", "优待证买高铁票优惠吗")
TRAVEL = re.compile(
    r"(查|订|买|抢|购|退|改签)(一)?(下|张|个|两张|几张)?.{0,12}(高铁票|火车票|动车票|机票|飞机票|车票|船票|汽车票)|"
    r"(高铁票|火车票|动车票|机票|飞机票|车票|船票)(还有|有没有|有吗|多少钱|怎么买|在哪(处)?买)|12306|航班|车次|时刻表"
)
TRAVEL_BENEFIT = re.compile(
    r"优待证|伤残|残疾|军人|退役|退伍|老兵|烈士|遗属|半价|优惠|免费|免票|打折|折扣|减免|优先|军人依法优先"
)


@dataclass(frozen=True)
class RuleMatch:
    intent: (
        str  # crisis | handoff | petition | card | survival_cert | greeting | out_of_scope | faq
    )
    action: str  # what the engine should do: crisis:self | crisis:crowd | handoff | flow:<name> | greeting | thanks | help | oos
    rest: str = ""  # text left after a greeting prefix


def match(norm: str, plain: str | None = None) -> RuleMatch | None:
    """The first rule that fires on a normalised message, most urgent first.

    ``plain`` is the message before synonyms were folded: danger is read in the
    veteran's own words (so "一死了之" never becomes something milder)."""
    if not norm:
        return None
    danger = crisis_action(norm, plain)
    if danger:
        return RuleMatch("crisis", danger)
    if BOT_OR_HUMAN.match(norm):
        return RuleMatch("greeting", "bot_or_human")
    if HANDOFF.search(norm):
        return RuleMatch("handoff", "handoff")
    dishonest = scams.action(norm)
    if dishonest:
        return RuleMatch("faq", dishonest)
    if FOLLOW_UP_START.search(norm) and not _asks_about_follow_up(norm):
        return RuleMatch("petition", "flow:follow_up")
    if PETITION_LOOKUP.search(norm):
        if LOST_RECEIPT.search(norm):
            return RuleMatch("faq", "faq:pet.progress")
        return RuleMatch("petition", "flow:lookup")
    if CARD_STATUS.search(norm) and not CARD_STAGE.search(norm):
        return RuleMatch("card", "flow:card_status")
    if BARE_NIANSHEN.match(norm):
        return RuleMatch("faq", "faq:sc.not_card")
    if CARD_START.search(norm):
        return RuleMatch("card", "flow:card")
    if HOME_VISIT_START.search(norm):
        return RuleMatch("survival_cert", "flow:survival_cert:home")
    if SURVIVAL_START.search(norm):
        return RuleMatch("survival_cert", "flow:survival_cert")
    if PETITION_START.search(norm) and not _asks_about_rules(norm):
        return RuleMatch("petition", "flow:petition")
    if GREETING.match(norm):
        return RuleMatch("greeting", "greeting")
    own = plain or norm
    if SALUTE.match(own) or SALUTE.match(strip_greeting(own)):
        return RuleMatch("greeting", "salute")
    if THANKS.match(norm):
        return RuleMatch("greeting", "thanks")
    if HELP.match(norm):
        return RuleMatch("greeting", "help")
    if CAN_I_ASK.match(norm):
        return RuleMatch("greeting", "help")
    if IDENTITY.match(norm):
        return RuleMatch("greeting", "who")
    if OUT_OF_SCOPE.search(norm) or (TRAVEL.search(norm) and not TRAVEL_BENEFIT.search(norm)):
        return RuleMatch("out_of_scope", "oos")
    return None


def _asks_about_rules(norm: str) -> bool:
    """ "信访多久受理" asks about the rules; "我要信访" wants to file one."""
    if re.match(r"^(我|俺|咱)(们)?(要|想|得)(信访|投诉|反映|举报|申诉|告)", norm):
        return False
    return bool(QUESTION.search(norm))


def _asks_about_follow_up(norm: str) -> bool:
    """ "复查的期限是多久" asks about the rules; "我要申请复查" wants to ask for one."""
    return not FOLLOW_UP_WANTS.match(norm) and bool(FOLLOW_UP_ASKS.search(norm))


GREETING_PREFIX = re.compile(
    r"^(你好|您好|你们好|大家好|同志你好|同志您好|老师好|在吗|在不在|有人吗|有人没|有人在吗|有没有人|请问|喂|"
    r"早上好|早安|上午好|中午好|下午好|晚上好|首长好|战友好|领导好)+"
)


def strip_greeting(norm: str) -> str:
    return GREETING_PREFIX.sub("", norm)
