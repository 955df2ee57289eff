"""Draw the integration's brand images (icon, logo, dark variants) with Pillow.

Run: scripts/brand (writes custom_components/equiwatt/brand/*.png).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "custom_components" / "equiwatt" / "brand"
GREEN = (0, 168, 120, 255)
DARK_GREEN = (0, 120, 86, 255)
YELLOW = (255, 204, 0, 255)
INK = (33, 33, 33, 255)
WHITE = (240, 240, 240, 255)
SUPERSAMPLE = 4


def _bolt(size: float, left: float, top: float) -> list[tuple[float, float]]:
    """Return a lightning bolt in a size x size box."""
    points = [
        (0.58, 0.05),
        (0.22, 0.55),
        (0.47, 0.55),
        (0.38, 0.95),
        (0.78, 0.40),
        (0.52, 0.40),
        (0.64, 0.05),
    ]
    return [(left + x * size, top + y * size) for x, y in points]


def icon(size: int, dark: bool = False) -> Image.Image:
    """Draw a round badge with a bolt and a dip in the load curve beneath it."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, big - 1, big - 1), fill=DARK_GREEN if dark else GREEN)
    draw.polygon(_bolt(big * 0.62, big * 0.19, big * 0.12), fill=YELLOW)
    width = max(SUPERSAMPLE, big // 28)
    curve = [(0.18, 0.74), (0.34, 0.74), (0.42, 0.84), (0.58, 0.84), (0.66, 0.74), (0.82, 0.74)]
    draw.line([(x * big, y * big) for x, y in curve], fill=WHITE, width=width, joint="curve")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def logo(height: int, dark: bool = False) -> Image.Image:
    """Draw the icon followed by the word equiwatt."""
    badge = icon(height, dark)
    font = ImageFont.load_default(size=int(height * 0.62))
    text = "equiwatt"
    measure = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    left, top, right, bottom = measure.textbbox((0, 0), text, font=font)
    width = height + height // 5 + (right - left) + height // 8
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.alpha_composite(badge, (0, 0))
    draw = ImageDraw.Draw(image)
    y = (height - (bottom - top)) // 2 - top
    draw.text((height + height // 5, y), text, font=font, fill=WHITE if dark else INK)
    return image


def main() -> None:
    """Write every brand image."""
    OUT.mkdir(parents=True, exist_ok=True)
    icon(256).save(OUT / "icon.png", optimize=True)
    icon(512).save(OUT / "icon@2x.png", optimize=True)
    icon(256, dark=True).save(OUT / "dark_icon.png", optimize=True)
    icon(512, dark=True).save(OUT / "dark_icon@2x.png", optimize=True)
    logo(128).save(OUT / "logo.png", optimize=True)
    logo(256).save(OUT / "logo@2x.png", optimize=True)
    logo(128, dark=True).save(OUT / "dark_logo.png", optimize=True)
    logo(256, dark=True).save(OUT / "dark_logo@2x.png", optimize=True)
    print(f"wrote {len(list(OUT.glob('*.png')))} images to {OUT}")


if __name__ == "__main__":
    main()
