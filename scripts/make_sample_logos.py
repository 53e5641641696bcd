"""Draw the fictional sample logos added for the fire and rescue and mental health samples (SVG and PNG).

The words are drawn as outlines from the bundled Noto Sans Bold, so the SVG needs no font; the PNG is drawn from
the same shapes. Run from the project folder: `uv run python scripts/make_sample_logos.py`.
"""

from __future__ import annotations

from pathlib import Path

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "toolkit" / "templates" / "fonts" / "noto-sans" / "NotoSans-Bold.ttf"
ASSETS = ROOT / "profiles" / "assets"
WIDTH, HEIGHT, SCALE = 421, 120, 600 / 421

LOGOS = {
    "westmarch-fire-and-rescue": {
        "title": "Westmarch Fire and Rescue Service",
        "lines": ("Westmarch Fire", "and Rescue Service"),
        "colour": "#a4161a",
        # a flame in a circle
        "emblem": "M48 12L60 34L70 52L68 68L58 80L48 84L38 80L28 68L26 52L34 36L42 48L44 30Z",
    },
    "hollowbrook-mental-health": {
        "title": "Hollowbrook Mental Health NHS Trust",
        "lines": ("Hollowbrook Mental", "Health NHS Trust"),
        "colour": "#00677f",
        # a heart
        "emblem": "M48 80L22 56L16 42L20 30L32 24L42 26L48 34L54 26L64 24L76 30L80 42L74 56Z",
    },
}


def text_path(font: TTFont, words: str, x: float, baseline: float, size: float) -> str:
    glyphs, cmap = font.getGlyphSet(), font.getBestCmap()
    scale = size / font["head"].unitsPerEm
    pen = SVGPathPen(glyphs)
    for char in words:
        name = cmap[ord(char)]
        glyphs[name].draw(TransformPen(pen, (scale, 0, 0, -scale, x, baseline)))
        x += glyphs[name].width * scale
    return pen.getCommands()


def svg(spec: dict, font: TTFont) -> str:
    first, second = spec["lines"]
    words = text_path(font, first, 132, 52, 26) + text_path(font, second, 132, 92, 26)
    size = f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}"'
    return f"""<svg xmlns="http://www.w3.org/2000/svg" {size} role="img" aria-labelledby="title">
  <title id="title">{spec["title"]}</title>
  <g transform="translate(12 12)">
  <circle cx="48" cy="48" r="48" fill="{spec["colour"]}"/>
  <path d="{spec["emblem"]}" fill="#fff"/>
  </g>
  <path d="{words}" fill="{spec["colour"]}"/>
</svg>
"""


def png(spec: dict, path: Path) -> None:
    image = Image.new("RGB", (round(WIDTH * SCALE), round(HEIGHT * SCALE)), "white")
    draw = ImageDraw.Draw(image)
    s = SCALE
    draw.ellipse([12 * s, 12 * s, 108 * s, 108 * s], fill=spec["colour"])
    shape = Image.new("L", image.size, 0)
    # the emblem, drawn from the SVG path's points (straight segments only)
    ImageDraw.Draw(shape).polygon(_points(spec["emblem"], s), fill=255)
    image.paste("white", mask=shape)
    font = ImageFont.truetype(str(FONT), round(26 * s))
    for line, baseline in zip(spec["lines"], (52, 92), strict=True):
        draw.text((132 * s, baseline * s), line, font=font, fill=spec["colour"], anchor="ls")
    image.save(path, optimize=True)


def _points(path: str, s: float) -> list[tuple[float, float]]:
    import re

    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    return [((x + 12) * s, (y + 12) * s) for x, y in zip(numbers[::2], numbers[1::2], strict=False)]


def main() -> None:
    font = TTFont(FONT)
    for name, spec in LOGOS.items():
        (ASSETS / f"{name}-logo.svg").write_text(svg(spec, font), encoding="utf-8")
        png(spec, ASSETS / f"{name}-logo.png")


if __name__ == "__main__":
    main()
