"""优待证 photo check: does a photo meet the card's spec, and what exactly to change.

The spec (``PhotoSpec``) is the one the card office publishes: 352×440 px, 300 DPI,
JPG, 20–50 KB, a light plain background, portrait. ``check`` measures a file and
returns one plain-Chinese ``Problem`` per failed rule; ``fix`` makes the mechanical
corrections (orientation from EXIF, a centred 4:5 crop, resize, JPG re-encoding into
the size window, the DPI field) and refuses what only a new photo can mend (a dark
or patterned background, a landscape shot). Uniforms and faces are not detected: a
reliable detector needs a model this product cannot ship, so the text reminder stays.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image, ImageOps, ImageStat, UnidentifiedImageError

#: the largest file we read at all (a phone photo is a few MB)
MAX_INPUT_BYTES = 15 * 1024 * 1024
Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs early


@dataclass(frozen=True)
class PhotoSpec:
    width: int = 352
    height: int = 440
    dpi: int = 300
    min_kb: int = 20
    max_kb: int = 50
    #: background: mean brightness (0–255) of the border strips at least this …
    min_background: float = 190.0
    #: … its spread (standard deviation of brightness) at most this (a plain wall) …
    max_background_spread: float = 28.0
    #: … and its colour saturation (0–255) at most this (white, light grey or light blue)
    max_background_saturation: float = 90.0

    def describe(self) -> str:
        return (
            f"{self.width}×{self.height}像素、{self.dpi}DPI、JPG格式、"
            f"{self.min_kb}–{self.max_kb}KB、浅色纯色背景、竖版"
        )


@dataclass(frozen=True)
class Problem:
    code: str  # format, orientation, size, dpi, file_size, background_dark, background_busy, …
    message: str  # what to change, in plain Chinese
    fixable: bool  # ``fix`` can correct it without a new photo


@dataclass(frozen=True)
class Measured:
    format: str
    width: int
    height: int
    dpi: tuple[float, float] | None
    kb: float
    background: float  # mean brightness of the border
    spread: float  # standard deviation of that brightness
    saturation: float  # mean colour saturation of the border


@dataclass(frozen=True)
class Report:
    problems: tuple[Problem, ...]
    measured: Measured | None = None
    spec: PhotoSpec = field(default_factory=PhotoSpec)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def fixable(self) -> bool:
        """Every problem is mechanical: ``fix`` would give a compliant file."""
        return bool(self.problems) and all(p.fixable for p in self.problems)

    def text(self) -> str:
        """The reply a veteran gets: what is wrong and what to do, numbered."""
        if self.ok:
            return f"照片符合优待证要求（{self.spec.describe()}）。"
        lines = [f"{i}. {p.message}" for i, p in enumerate(self.problems, 1)]
        return "这张照片还不符合优待证要求：\n" + "\n".join(lines)


class NotAnImage(ValueError):
    """The bytes are not a picture Pillow can read."""


def _open(data: bytes) -> Image.Image:
    if len(data) > MAX_INPUT_BYTES:
        raise NotAnImage(f"文件太大（{len(data) // 1024 // 1024}MB），请发送手机拍的原图或证件照")
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise NotAnImage("无法识别为图片，请发送JPG格式的照片") from exc
    return image


def _border(image: Image.Image) -> Image.Image:
    """The top strip and the upper side strips: where a card photo shows only background."""
    rgb = image.convert("RGB")
    w, h = rgb.size
    strip_w, strip_h = max(1, w // 10), max(1, h // 12)
    side_h = max(1, h // 2)
    parts = [
        rgb.crop((0, 0, w, strip_h)),
        rgb.crop((0, 0, strip_w, side_h)),
        rgb.crop((w - strip_w, 0, w, side_h)),
    ]
    total_w = sum(p.size[0] for p in parts)
    out = Image.new("RGB", (total_w, max(p.size[1] for p in parts)), parts[0].getpixel((0, 0)))
    x = 0
    for part in parts:  # side by side; the padding repeats a border pixel
        out.paste(part, (x, 0))
        x += part.size[0]
    return out


def _background(image: Image.Image) -> tuple[float, float, float]:
    border = _border(image)
    grey = ImageStat.Stat(border.convert("L"))
    saturation = ImageStat.Stat(border.convert("HSV").getchannel("S"))
    return grey.mean[0], grey.stddev[0], saturation.mean[0]


def measure(data: bytes) -> Measured:
    image = _open(data)
    upright = ImageOps.exif_transpose(image) or image
    dpi = image.info.get("dpi")
    mean, spread, saturation = _background(upright)
    return Measured(
        format=str(image.format or "?"),
        width=upright.size[0],
        height=upright.size[1],
        dpi=(float(dpi[0]), float(dpi[1])) if dpi else None,
        kb=len(data) / 1024,
        background=mean,
        spread=spread,
        saturation=saturation,
    )


def _shape_problems(m: Measured, spec: PhotoSpec) -> list[Problem]:
    out = []
    if m.format != "JPEG":
        out.append(Problem("format", f"格式是{m.format}，需要JPG格式。", True))
    if m.width > m.height:
        out.append(Problem("orientation", "照片是横的，请竖着拍（上半身、人像竖版）。", False))
    elif (m.width, m.height) != (spec.width, spec.height):
        out.append(
            Problem(
                "size",
                f"尺寸是{m.width}×{m.height}像素，需要{spec.width}×{spec.height}像素。",
                m.width >= spec.width * 0.8,  # enlarging a small photo only blurs it
            )
        )
    if m.dpi is None or round(m.dpi[0]) != spec.dpi or round(m.dpi[1]) != spec.dpi:
        shown = f"{round(m.dpi[0])}DPI" if m.dpi else "没有标注"
        out.append(Problem("dpi", f"分辨率{shown}，需要{spec.dpi}DPI。", True))
    if not spec.min_kb <= m.kb <= spec.max_kb:
        out.append(
            Problem(
                "file_size",
                f"文件大小是{m.kb:.0f}KB，需要在{spec.min_kb}–{spec.max_kb}KB之间。",
                True,
            )
        )
    return out


def _background_problems(m: Measured, spec: PhotoSpec) -> list[Problem]:
    out = []
    if m.background < spec.min_background:
        out.append(
            Problem("background_dark", "背景太暗，请在白色或浅色的墙前、光线充足处重拍。", False)
        )
    if m.spread > spec.max_background_spread:
        out.append(
            Problem(
                "background_busy", "背景不是纯色（有花纹、杂物或阴影），请在纯色墙前重拍。", False
            )
        )
    if m.saturation > spec.max_background_saturation:
        out.append(Problem("background_colour", "背景颜色太深太艳，请用白色或浅色背景。", False))
    return out


def check(data: bytes, spec: PhotoSpec | None = None) -> Report:
    """Measure ``data`` against ``spec``; an unreadable file is one problem."""
    spec = spec or PhotoSpec()
    try:
        m = measure(data)
    except NotAnImage as exc:
        return Report((Problem("unreadable", f"{exc}。", False),), None, spec)
    return Report(tuple(_shape_problems(m, spec) + _background_problems(m, spec)), m, spec)


def _crop_4_5(image: Image.Image, spec: PhotoSpec) -> Image.Image:
    """Centre crop to the spec's aspect ratio, keeping the top (the head) in frame."""
    w, h = image.size
    target = spec.width / spec.height
    if w / h > target:  # too wide: trim both sides
        new_w = round(h * target)
        left = (w - new_w) // 2
        return image.crop((left, 0, left + new_w, h))
    new_h = round(w / target)  # too tall: trim mostly from the bottom
    top = min((h - new_h) // 4, h - new_h)
    return image.crop((0, top, w, top + new_h))


def _encode(image: Image.Image, spec: PhotoSpec) -> bytes:
    """JPG at the spec's DPI, the best quality that fits the size window."""
    best = b""
    for quality in range(95, 19, -5):
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=quality, dpi=(spec.dpi, spec.dpi), subsampling=0)
        best = buf.getvalue()
        if len(best) <= spec.max_kb * 1024:
            break
    return best


class CannotFix(ValueError):
    """What remains needs a new photo (the message says what)."""


def fix(data: bytes, spec: PhotoSpec | None = None) -> bytes:
    """A corrected JPG, or ``CannotFix`` naming what only a new photo can mend."""
    spec = spec or PhotoSpec()
    report = check(data, spec)
    if report.ok:
        return data
    hard = [p for p in report.problems if not p.fixable]
    if hard:
        raise CannotFix("；".join(p.message.rstrip("。") for p in hard) + "。")
    image = ImageOps.exif_transpose(_open(data)) or _open(data)
    image = _crop_4_5(image.convert("RGB"), spec).resize(
        (spec.width, spec.height), Image.Resampling.LANCZOS
    )
    out = _encode(image, spec)
    after = check(out, spec)
    if not after.ok:  # e.g. a very plain picture stays under the minimum size
        raise CannotFix("；".join(p.message.rstrip("。") for p in after.problems) + "。")
    return out
