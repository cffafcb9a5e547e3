"""The 优待证 photo check on generated photos: each rule that fails is named with what to
change, a mechanical problem is corrected, and what needs a new photo is refused."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from bot.cli import app
from bot.media.photo import CannotFix, PhotoSpec, check, fix

SPEC = PhotoSpec()


def portrait(
    size: tuple[int, int] = (352, 440),
    background: tuple[int, int, int] = (246, 246, 246),
    pattern: bool = False,
    texture: int = 60,
) -> Image.Image:
    """A head-and-shoulders stand-in: a plain background, a textured figure in the middle."""
    w, h = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    if pattern:  # a wallpaper of stripes behind the person
        for x in range(0, w, 16):
            draw.rectangle((x, 0, x + 7, h), fill=(120, 60, 40))
    rng = random.Random(7)
    figure = Image.new("RGB", (w // 2, int(h * 0.75)), (190, 150, 120))
    pixels = figure.load()
    assert pixels is not None
    for y in range(figure.size[1]):
        for x in range(figure.size[0]):
            v = rng.randint(-texture, texture)
            pixels[x, y] = (150 + v // 2, 110 + v // 2, 90 + v // 2)
    mask = Image.new("L", figure.size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, *figure.size), fill=255)
    image.paste(figure, (w // 4, h - figure.size[1]), mask)
    return image


def encode(image: Image.Image, fmt: str = "JPEG", dpi: int | None = 300, **kw: object) -> bytes:
    buf = io.BytesIO()
    if dpi:
        kw["dpi"] = (dpi, dpi)
    image.save(buf, fmt, **kw)
    return buf.getvalue()


def good() -> bytes:
    data = encode(portrait(), quality=90)
    assert 20 * 1024 <= len(data) <= 50 * 1024, len(data) // 1024  # the generator's own check
    return data


CASES = [  # (name, bytes, problem codes expected)
    ("good", good, set()),
    ("wrong size", lambda: encode(portrait((600, 750)), quality=60), {"size"}),
    ("png", lambda: encode(portrait(), "PNG"), {"format", "file_size"}),
    ("72 dpi", lambda: encode(portrait(), dpi=72, quality=90), {"dpi"}),
    ("no dpi", lambda: encode(portrait(), dpi=None, quality=90), {"dpi"}),
    (
        "too large a file",
        lambda: encode(portrait(texture=127), quality=100, subsampling=0),
        {"file_size"},
    ),
    ("too small a file", lambda: encode(portrait(texture=2), quality=30), {"file_size"}),
    (
        "dark background",
        lambda: encode(portrait(background=(70, 70, 80)), quality=90),
        {"background_dark"},
    ),
    (
        "patterned background",
        lambda: encode(portrait(pattern=True), quality=90),
        {"background_busy"},
    ),
    (
        "red background",
        lambda: encode(portrait(background=(230, 40, 40)), quality=90),
        {"background_colour"},
    ),
    ("landscape", lambda: encode(portrait((440, 352)), quality=90), {"orientation"}),
    ("tiny", lambda: encode(portrait((176, 220)), quality=95), {"size"}),
    ("not a picture", lambda: b"%PDF-1.4 not an image", {"unreadable"}),
]


@pytest.mark.parametrize(("name", "make", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_is_checked_and_named(name: str, make: object, expected: set[str]) -> None:
    report = check(make())  # type: ignore[operator]
    got = {p.code for p in report.problems}
    assert expected <= got, (name, got, report.text())
    if not expected:
        assert report.ok and "符合" in report.text()
    else:
        assert not report.ok and "不符合" in report.text()


def test_the_reason_says_what_to_change_in_numbers() -> None:
    report = check(encode(portrait((600, 750)), dpi=72, quality=60))
    text = report.text()
    assert "600×750" in text and "352×440" in text and "72DPI" in text and "300DPI" in text


@pytest.mark.parametrize(
    "make",
    [
        lambda: encode(portrait((600, 750)), quality=60),
        lambda: encode(portrait(), "PNG"),
        lambda: encode(portrait(), dpi=72, quality=90),
        lambda: encode(portrait((720, 960)), quality=95),  # 3:4 from a phone: cropped to 4:5
        lambda: encode(portrait(texture=127), quality=100, subsampling=0),
    ],
)
def test_mechanical_problems_are_fixed_into_a_compliant_jpg(make: object) -> None:
    fixed = fix(make())  # type: ignore[operator]
    assert check(fixed).ok, check(fixed).text()
    image = Image.open(io.BytesIO(fixed))
    assert image.format == "JPEG" and image.size == (352, 440)


@pytest.mark.parametrize(
    "make",
    [
        lambda: encode(portrait(background=(70, 70, 80)), quality=90),
        lambda: encode(portrait((440, 352)), quality=90),
        lambda: encode(portrait(pattern=True), quality=90),
    ],
)
def test_what_needs_a_new_photo_is_refused_with_the_reason(make: object) -> None:
    with pytest.raises(CannotFix, match=r"重拍|竖着拍"):
        fix(make())  # type: ignore[operator]


def test_cli_exit_codes_and_fix(tmp_path: Path) -> None:
    ok, bad, out = tmp_path / "ok.jpg", tmp_path / "bad.png", tmp_path / "fixed.jpg"
    ok.write_bytes(good())
    bad.write_bytes(encode(portrait((600, 750)), "PNG"))
    runner = CliRunner()
    passed = runner.invoke(app, ["photo", "check", str(ok)])
    assert passed.exit_code == 0 and "符合" in passed.stdout
    failed = runner.invoke(app, ["photo", "check", str(bad), "--fix", str(out)])
    assert failed.exit_code == 1 and "JPG" in failed.stdout and "352×440" in failed.stdout
    assert check(out.read_bytes()).ok
    missing = runner.invoke(app, ["photo", "check", str(tmp_path / "none.jpg")])
    assert missing.exit_code == 2
