"""Denoise one rendered frame for render.py with Intel Open Image Denoise (pyoidn).

Run by render.py in a Python that has pyoidn and numpy (not Blender's):

    python denoise.py WIDTH HEIGHT FOLDER

FOLDER holds colour.f32, albedo.f32 and normal.f32 (RGBA float32, Blender's row order, the
colour scene-linear); the denoised colour is written as clean.f32 in the same layout.
"""

import sys
from pathlib import Path

import numpy as np
from pyoidn import denoise


def main(width: int, height: int, folder: Path) -> None:
    """Write FOLDER/clean.f32: the colour denoised with its albedo and normals."""
    def rgb(name: str) -> np.ndarray:
        rgba = np.fromfile(folder / f"{name}.f32", dtype=np.float32).reshape(height, width, 4)
        return np.ascontiguousarray(rgba[..., :3])

    clean = denoise(rgb("colour"), rgb("albedo"), rgb("normal"), hdr=True)
    alpha = np.ones((height, width, 1), dtype=np.float32)
    np.concatenate([clean, alpha], axis=2).astype(np.float32).tofile(folder / "clean.f32")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
