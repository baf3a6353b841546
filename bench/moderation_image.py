"""Screening one 12-megapixel image: decode, perceptual hash and nudity classifier (issue 13).

Makes a photo-like 4000×3000 JPEG (shapes, gradients and noise, about 3 MB), then times
what screening does per image (app.services.moderation.screening):

- `working_image`: decode straight to a reduced size (JPEG draft mode) and shrink to 640 px,
- `image_phash`: the 64-bit pHash compared against the removed-image blocklist,
- `NudeNetClassifier.classify`: NudeNet's bundled 320n ONNX detector on CPU,

and the blocklist comparison against BLOCKLIST stored hashes (the same XOR/popcount scan
`find_removed_image` runs over the rows it reads). The first classifier call, which loads the
model, is timed on its own.

    .venv/bin/python bench/moderation_image.py [--runs 20] [--blocklist 10000]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path

from _common import describe

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from app.providers.moderation import NudeNetClassifier  # noqa: E402
from app.services.moderation.image_hashes import image_phash, working_image  # noqa: E402


def twelve_megapixels(seed: int = 12) -> bytes:
    rng = random.Random(seed)
    width, height = 4000, 3000
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(300):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(20, 600)
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x - r, y - r, x + r, y + r),
                                                                fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(3))
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    image = Image.blend(image, noise, 0.15)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--blocklist", type=int, default=10_000)
    args = parser.parse_args()
    data = twelve_megapixels()
    print(f"test image: 4000x3000 JPEG, {len(data) / 1e6:.1f} MB")
    classifier = NudeNetClassifier()
    started = time.perf_counter()
    classifier.classify(Image.new("RGB", (64, 64)))
    print(f"classifier model load (first call, once per worker): "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")

    rng = random.Random(1)
    stored = [rng.getrandbits(64) for _ in range(args.blocklist)]
    decode, phash, classify, lookup, total = [], [], [], [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        image = working_image(data)
        t1 = time.perf_counter()
        value = int(image_phash(image), 16)
        t2 = time.perf_counter()
        classifier.classify(image)
        t3 = time.perf_counter()
        min((value ^ other).bit_count() for other in stored)
        t4 = time.perf_counter()
        for bucket, (a, b) in zip((decode, phash, classify, lookup),
                                  ((t0, t1), (t1, t2), (t2, t3), (t3, t4)), strict=True):
            bucket.append((b - a) * 1000)
        total.append((t4 - t0) * 1000)
    print(f"decode to 640 px:        {describe(decode)}")
    print(f"pHash:                   {describe(phash)}")
    print(f"NudeNet classifier:      {describe(classify)}")
    print(f"blocklist scan ({args.blocklist}): {describe(lookup)}")
    print(f"one 12 MP image, total:  {describe(total)}")

    started = time.perf_counter()
    full = Image.open(io.BytesIO(data)).convert("RGB")
    full.load()
    print(f"(for comparison, a full-resolution decode alone: "
          f"{(time.perf_counter() - started) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
