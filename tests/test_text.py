from knowledge.text import clean, normalize


def test_fullwidth_traditional_and_emoji_are_folded() -> None:
    assert normalize("ＱＱ群里說優待證👍") == "qq群里说优待证"


def test_synonyms_fold_to_one_word_without_rewriting_inside_the_canonical_form() -> None:
    assert "优待证" in normalize("那个优待卡咋个办")
    assert normalize("建档立卡") == "建档立卡"
    assert normalize("我是复员兵") == normalize("我是退役军人")


def test_control_characters_and_tags_are_removed() -> None:
    assert clean("优待\x00证<script>x</script>") == "优待 证 x"


def test_typos_and_spoken_forms_fold_without_eating_ordinary_words() -> None:
    assert "信访" in normalize("我要信方")
    assert "信访" not in normalize("能用短信方式通知我吗")
    assert "行动不便" in normalize("腿脚不中用了")
    assert "义务兵" in normalize("义物兵优待金")
    assert "一件事" not in normalize("同一件事再提交一遍")  # not 军人退役"一件事"


def test_card_typos_by_sound_fold_but_policy_words_stay() -> None:
    for typo in ("优戴证", "忧待证", "尤待证", "优呆证", "优待症"):
        assert normalize(f"申请{typo}") == "申请优待证"
    assert "优待政策" in normalize("优待政策有哪些")
    assert normalize("伏恤金") == normalize("抚恤金")


def test_new_typos_fold_without_touching_ordinary_words() -> None:
    assert normalize("优特证能借人吗") == normalize("优待证能借人吗")
    assert "信访" in normalize("心访都60天了")
    assert "丧葬" in normalize("丧藏费怎么算")
    assert "生存认证" in normalize("年度却认")
    assert "易地安置" in normalize("异地安置要啥条件")
    assert "易地安置" not in normalize("异地办理优待证")  # 跨省通办 stays itself


def test_sound_alikes_of_domain_words_fold() -> None:
    assert "生存认证" in normalize("声存认证在哪做")
    assert "生存认证" in normalize("剩存认证")
    assert "参战" in normalize("俺爹是参站老兵")
    assert "因公牺牲" in normalize("因工牺牲军人家属")
    assert "行动不便" in normalize("走路都要人扶")
    assert "重复提交" in normalize("还要重新写材料吗")
    assert "上方" in normalize("页面上方的按钮")  # 上方 is a word: only a rule reads it as 上访
