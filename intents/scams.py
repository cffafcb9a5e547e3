"""Scams and dishonesty, answered before anything else (rules.match calls ``action``).

Three things a veteran or a relative may write that need a plain, sourced warning rather
than a policy answer: someone asking for money, a password, a code or a link in the
bureau's name (svc.fraud); drawing a dead relative's money on (pension.fraud); false
papers, bought certificates, exaggerated injuries or changed ages (svc.honesty).
Patterns run on ``knowledge.text.normalize`` output (交钱 is folded to 收费).
"""

from __future__ import annotations

import re

# someone asking for money, a password or a code in the bureau's name: warn before anything else
_SCAM_ACTOR = (
    r"(有人|有个人|几个人|来了(几)?个人|门口|陌生人|对方|自称|冒充|假冒|电话|来电|短信|简讯|讯息|微信|qq|QQ|"
    r"上门|打电话|打来|加我|私信|群里|朋友圈|抖音|快手|直播|客服|代办|中介|他说的|按他|"
    r"认识.{0,6}(领导|关系))"
)
_SUM = r"(\d+|[一二两三四五六七八九十百千万几]+)(块|元|万|千|百)"
_MONEY = (
    rf"(交|转|付|给|花|收|打|借|存|入股)(了)?({_SUM}|\d{{3,}})"  # "交200块", "给他两万", "花8000"
)
_SCAM_ASK = (
    r"(交钱|收费|收钱|要钱|交费|缴费|繳費|交个?费|转账|转钱|转回|汇款|打钱|借钱|手续费|保证金|激活费|工本费|年费|"
    r"年审费|年检费|调档费|运作费|会费|定金|邮费|押金|服务费|验证码|银行卡密码|卡密码|密码|链接|二维码|"
    r"银行卡号|卡号|银行卡信息|身份证(号|正反面|照片)|卡背面|三位数|有效期|刷脸视频|人脸.{0,4}视频|"
    r"屏幕共享|共享屏幕|下载.{0,6}(app|APP|软件)|跟着操作|按他说的操作|ATM|atm|解冻|冻结|安全账户|"
    r"征信|注销|借款|贷款|占名额|内部.{0,4}名额|保证(通过|能|当上)|免处分|入股|分红|"
    rf"(转|打|汇)(回|到|进|给).{{0,8}}(账户|账号|卡里|卡上)|{_MONEY}|"
    r"(拿走|收走|带走|拿去).{0,6}(优待证|身份证|银行卡|证件|存折)|"
    r"(优待证|身份证|银行卡|证件|存折).{0,8}(拿走|收走|带走|拿去))"
)
SCAM = re.compile(
    r"骗子|诈骗|骗钱|被骗|骗局|是不是骗|是骗人|騙子|詐騙|冒充|假冒|包过|找关系|走关系|"
    r"屏幕共享|共享屏幕|转发.{0,8}群.{0,12}(领|红包|补贴)|安全账户|"
    r"(换了|换|新)(个)?(新)?(号|号码|手机号).{0,24}(借|钱)|"
    r"中(了)?.{0,10}(奖|抽奖).{0,12}(交|缴|税)|"
    rf"先(交|付|转|缴)(了)?({_SUM}|\d{{2,}})|"  # a fee paid first for money promised
    r"(卖|推销|兜售).{0,12}(纪念币|纪念章|勋章|金币|保健品|特供)|货到付款"
    rf"|{_SCAM_ACTOR}.{{0,50}}(?<![不没免]){_SCAM_ASK}"  # not "对方不给钱" (folded to 不收费)
)
SCAM_INVEST = re.compile(
    r"年化|高息|返利|集资|每(个)?月(返|分红)|返\d+|\d+%的?利息|(专属|内部|监制|特供|专项)(的)?(理财|投资|产品|基金|项目)|"
    r"(理财|投资|基金)(产品|项目)?.{0,10}(退役军人部|事务部|部里|监制|保本|稳赚)"
)
# Drawing a dead parent's money on, or a false paper or story to get a benefit: refused,
# with what it costs (pension.fraud, svc.honesty).
_GONE = r"(去世|过世|走了|不在了|死了|没了|病故|故去)"
_HIDDEN = (  # the death kept from the office, or the money taken on
    r"(先别报|不报|别报|没报|没去报|没有报|没上报|瞒着|跳过|"
    r"(还在|仍在|仍然在|一直在)(继续)?(领|拿|往里打|往卡里打)|(接着|继续)取|照样(打|领|发|到)|"
    r"(能不能|可不可以|可以|能)不退|不退(行不行|可以吗|行吗))"
)
_POSING = (  # someone else's face or photo for the yearly check
    r"((他|她|老人|我爸|我妈|老娘|老爹)的?照片|(录|拍)的?视频|换脸|冒充|替(他|她)(做|认证|刷脸))"
)
KEEP_DRAWING = re.compile(
    rf"{_GONE}.{{0,40}}({_HIDDEN}|{_POSING})|"
    rf"(换脸|录的视频|拍的视频|(他|她)的?照片).{{0,20}}(人脸|刷脸|认证).{{0,20}}{_GONE}"
)
_P = r"(?<![A-Za-z])(P|p|PS|ps|Ps)(?![A-Za-z])"  # to photoshop, not the p in App or dpi
FALSE_PAPERS = re.compile(
    rf"({_P}|做|造|伪造|仿造|弄|办|买|补)(一|个|张|一个|一张|份|一份)*假的?.{{0,6}}(证|证明|证书|材料|病历|档案)"
    rf"|({_P}|伪造|仿造)(一|个|张|一个|一张|份|一份)*.{{0,6}}(证|证明|证书|材料|病历)"
    r"|(卖|买|包办|代办).{0,8}(烈士证|烈士证明|参战证明|残疾军人证|伤残军人证|退伍证|复员证|转业证|证明书)"
    r"|(写|说|弄|开|报)(得)?(严重|重)(一)?(点|些)|虚报|假病历|"
    r"(年龄|岁数|出生(年份|日期|年月)?).{0,6}改(大|小|早|晚)|改(大|小)(两|几|一|1|2|3)?(岁|年)"
)

# someone's own benefits drawn falsely is reported, not a scam on the veteran (pension.fraud)
NOT_SCAM = re.compile(r"冒领|骗取|骗领|骗保|虚报|泄露|泄漏")  # and a privacy worry: privacy.leak


def action(norm: str) -> str | None:
    """The warning entry for a normalised message ("faq:<entry id>"), or None."""
    if KEEP_DRAWING.search(norm):
        return "faq:pension.fraud"
    if FALSE_PAPERS.search(norm):
        return "faq:svc.honesty"
    if (SCAM.search(norm) or SCAM_INVEST.search(norm)) and not NOT_SCAM.search(norm):
        return "faq:svc.fraud"
    return None
