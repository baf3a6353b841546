"""Render the demo's product photographs and note scenes with Blender (Cycles, CPU).

Run by hand, never at seed time (the JPEGs it writes are committed next to it):

    blender -b -P app/demo/photos/render.py -- [--samples 32] [--denoiser PYTHON]
        [--only NAME ...]

Every model is built from primitives (lathed profiles, bevelled boxes: product_models.py on
blender_parts.py) and lit by the studio HDRI that ships with Blender plus a soft key light.
Debian's Blender has no denoiser built in: with `--denoiser` naming a Python that has pyoidn
(Intel Open Image Denoise, from PyPI) and numpy, each frame is denoised by denoise.py from
its colour, albedo and normal passes before the view transform. Nothing is
downloaded; the output is the project's own work, released under CC0 (see README.md).
"""

# The product builders (m_<shape>) and scene steps are named for what they make.
# ruff: noqa: D103
from __future__ import annotations

import math
import random
import subprocess
import sys
import tempfile
from array import array
from pathlib import Path

import bpy
from mathutils import Vector

HERE = Path(__file__).resolve().parent
# Blender runs this file as a script: its siblings and app/demo (for note_texts, a plain
# data module with no app imports) are put on the path by hand.
sys.path[:0] = [str(HERE), str(HERE.parent)]
from blender_parts import group, link, material  # noqa: E402
from note_texts import SCENE_PRODUCTS  # noqa: E402
from product_models import SHAPES  # noqa: E402

WIDTH, HEIGHT = 640, 800

# Tabletop and backdrop colours (linear-ish RGB) and the HDRI each set uses.
BACKDROPS = {
    "linen": ((0.78, 0.70, 0.60), "interior.exr"),
    "paper": ((0.85, 0.84, 0.82), "studio.exr"),
    "sage": ((0.48, 0.56, 0.45), "studio.exr"),
    "blush": ((0.86, 0.62, 0.58), "studio.exr"),
    "walnut": ((0.30, 0.17, 0.09), "interior.exr"),
    "slate": ((0.20, 0.22, 0.25), "city.exr"),
    "sky": ((0.55, 0.68, 0.80), "courtyard.exr"),
    "sand": ((0.80, 0.66, 0.45), "sunset.exr"),
}


# Product photographs: file name -> (shape, parameters, backdrop). ------------------------
PRODUCTS: dict[str, tuple[str, dict, str]] = {
    # Hangzhou Tea House
    "longjing-tin": ("tin", {"c": "#4f7a3a"}, "linen"),
    "osmanthus-oolong": ("tin", {"c": "#c9892b", "label": "#fff4dc"}, "paper"),
    "celadon-cups": ("cups", {"c": "#9cc3a8"}, "walnut"),
    "zisha-teapot": ("teapot", {"c": "#6b3a2a"}, "linen"),
    "bamboo-tray": ("tray", {"c": "#c49a5c"}, "paper"),
    "silk-scarf": ("scarf", {"c": "#c95a6e", "c2": "#f6e0d8"}, "paper"),
    "linen-blouse": ("folded", {"c": "#e7e1d0"}, "sage"),
    "cashmere-cardigan": ("folded", {"c": "#9a8576", "stack": 2, "collar": False}, "linen"),
    "silver-needle": ("tin", {"c": "#dcdcd6", "c2": "#9ea3a8", "label": "#5a7d5a"}, "slate"),
    "puerh-cake": ("cake", {"c": "#efe6d2", "c2": "#a33a2c"}, "walnut"),
    "lapsang": ("tin", {"c": "#7a1f1f"}, "paper"),
    "jasmine-pearls": ("jar", {"c": "#f5f5f0", "glass": 1.0, "fill": "#8a9a4a",
                               "c2": "#c9a45a", "r": 0.04, "h": 0.09}, "sage"),
    "lotus-root-powder": ("box", {"c": "#e9c9c6", "c2": "#6a8f5f"}, "paper"),
    "osmanthus-cakes": ("box", {"c": "#b8322c", "c2": "#d8b25a", "w": 0.2, "d": 0.2,
                                "h": 0.06}, "linen"),
    "hickory-nuts": ("tin", {"c": "#6d4c2f", "r": 0.06, "h": 0.09}, "sand"),
    "acacia-honey": ("jar", {"c": "#f3d27a", "glass": 1.0, "fill": "#e0a020",
                             "r": 0.04, "h": 0.1, "c2": "#d8b25a"}, "linen"),
    "carved-lipstick": ("lipstick", {"c": "#a3182b", "c2": "#c9a45a"}, "blush"),
    "sheet-masks": ("box", {"c": "#f3efe7", "c2": "#c95a6e", "w": 0.12, "d": 0.03,
                            "h": 0.18}, "blush"),
    "camellia-cleanser": ("bottle", {"c": "#f4f0ea", "c2": "#c95a6e", "h": 0.15, "r": 0.028,
                                     "neck": 0.013, "label": "#e9c9c6"}, "sky"),
    "ru-caddy": ("caddy", {"c": "#a9bfc0"}, "walnut"),
    "blue-white-bowls": ("bowl", {"c": "#f4f6f8", "c2": "#27407a"}, "slate"),
    "gaiwan": ("gaiwan", {"c": "#f6f6f4", "c2": "#27407a"}, "walnut"),
    "iron-teapot": ("teapot", {"c": "#2a2a2a", "metal": 0.6}, "paper"),
    "brocade-clutch": ("clutch", {"c": "#1f3f6a", "c2": "#d8b25a"}, "slate"),
    "silk-blouse": ("folded", {"c": "#e9d7c4"}, "blush"),
    "linen-trousers": ("folded", {"c": "#5d6f5a", "collar": False, "d": 0.34}, "paper"),
    "xuan-notebook": ("notebook", {"c": "#3b5f7a", "c2": "#c9a45a"}, "linen"),
    "brush-set": ("brushes", {"c": "#c7a36b"}, "paper"),
    "jade-bracelet": ("bangle", {"c": "#3f8a5e"}, "walnut"),
    "moon-cake-tin": ("tin", {"c": "#1f3f6a", "r": 0.07, "h": 0.07, "c2": "#d8b25a"}, "linen"),
    # Brooklyn Goods
    "shea-butter": ("jar", {"c": "#efe2c8", "c2": "#2b2b2b", "r": 0.05}, "paper"),
    "soy-candle": ("candle", {"c": "#6e7f5a", "c2": "#efe6d6"}, "linen"),
    "enamel-mug": ("mug", {"c": "#1f3b2d", "c2": "#f1ead8"}, "walnut"),
    "lip-balm-trio": ("sticks", {"c": "#f1ead8"}, "sky"),
    "hot-sauce": ("bottle", {"c": "#c0311e", "c2": "#1d1d1d", "glass": 0.6, "h": 0.16,
                             "r": 0.025}, "sand"),
    "crewneck-tee": ("folded", {"c": "#2e3d5e", "stack": 2}, "paper"),
    "flannel-shirt": ("folded", {"c": "#8e2424", "c2": "#1d1d1d", "pattern": "plaid"},
                      "walnut"),
    "waxed-tote": ("tote", {"c": "#7a6238"}, "paper"),
    "matte-lipstick": ("lipstick", {"c": "#8e2436", "c2": "#1d1d1d"}, "blush"),
    "vitamin-c-serum": ("bottle", {"c": "#b8741a", "glass": 0.8, "h": 0.08, "r": 0.018,
                                   "neck": 0.009, "dropper": True, "label": "#f4efe6"}, "sky"),
    "rose-clay-mask": ("jar", {"c": "#e5b3a8", "c2": "#f3efe7", "r": 0.04}, "blush"),
    "olive-soap": ("soap", {"c": "#c9c08a"}, "sage"),
    "coffee-dripper": ("dripper", {"c": "#e8e3da"}, "walnut"),
    "linen-towels": ("folded", {"c": "#cfc4ad", "c2": "#3b5f7a", "pattern": "stripe",
                                "stack": 2, "collar": False, "w": 0.22, "d": 0.22}, "paper"),
    "walnut-board": ("tray", {"c": "#5a3a22", "slats": False, "w": 0.38, "d": 0.2}, "paper"),
    "stoneware-vase": ("vase", {"c": "#d9cfbf"}, "sage"),
    "taper-candles": ("taper", {"c": "#e7d3a1"}, "slate"),
    "coffee-beans": ("bag", {"c": "#a27c55", "c2": "#1d1d1d"}, "linen"),
    "cold-brew": ("bottle", {"c": "#2a1a10", "glass": 0.5, "c2": "#f1ead8", "h": 0.2,
                             "r": 0.035, "neck": 0.018}, "sky"),
    "maple-syrup": ("bottle", {"c": "#9a4e12", "glass": 0.7, "c2": "#1d1d1d", "h": 0.2,
                               "r": 0.032, "neck": 0.012}, "walnut"),
    "sea-salt-chocolate": ("bar", {"c": "#3b2418", "c2": "#e9dfca"}, "paper"),
    "granola": ("jar", {"c": "#f5f5f0", "glass": 1.0, "fill": "#b98a4a", "r": 0.045,
                        "h": 0.12, "c2": "#7a5230"}, "linen"),
    "wildflower-honey": ("jar", {"c": "#f5f5f0", "glass": 1.0, "fill": "#d68f1a", "r": 0.04,
                                 "h": 0.08, "c2": "#2b2b2b"}, "sand"),
    "merino-beanie": ("beanie", {"c": "#b5542c"}, "slate"),
    "selvedge-jeans": ("folded", {"c": "#243a5e", "collar": False, "stack": 2,
                                  "d": 0.32}, "walnut"),
    "crew-socks": ("folded", {"c": "#e9e3d6", "c2": "#b5542c", "pattern": "stripe",
                              "collar": False, "w": 0.1, "d": 0.2, "h": 0.025,
                              "stack": 3}, "sky"),
    "card-wallet": ("wallet", {"c": "#6b3d1f"}, "paper"),
    "steel-bottle": ("bottle", {"c": "#c7ccd1", "c2": "steel", "h": 0.24, "r": 0.036,
                                "neck": 0.024, "label": None}, "sage"),
    "cork-yoga-mat": ("mat", {"c": "#b58a5a"}, "paper"),
    "dot-notebook": ("notebook", {"c": "#1d1d1d", "c2": "#b5542c"}, "sky"),
}

# Note scenes: several products on one table, for the notes about them. The products (left
# to right, as the notes tag them) are listed with the notes' texts.

# name -> (backdrop, camera: "eye" | "top")
SCENE_LOOKS: dict[str, tuple[str, str]] = {
    "scene-tea-table": ("walnut", "eye"), "scene-tea-flatlay": ("linen", "top"),
    "scene-puerh": ("slate", "eye"), "scene-vanity": ("blush", "eye"),
    "scene-lips": ("paper", "top"), "scene-skincare": ("sky", "eye"),
    "scene-cosy": ("walnut", "eye"), "scene-coffee": ("linen", "eye"),
    "scene-breakfast": ("paper", "top"), "scene-pantry": ("sand", "eye"),
    "scene-outfit": ("paper", "top"), "scene-weekend-bag": ("sage", "top"),
    "scene-studio": ("sky", "eye"), "scene-hanfu-style": ("blush", "top"),
    "scene-study": ("linen", "top"), "scene-snacks": ("paper", "eye"),
    "scene-home": ("sage", "eye"), "scene-tea-clothes": ("linen", "top"),
}


# Scene, lights, camera ------------------------------------------------------------------
def reset():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    for block in (bpy.data.meshes, bpy.data.materials):
        for item in list(block):
            block.remove(item)


def backdrop(name: str):
    colour, hdri = BACKDROPS[name]
    # A cyclorama: floor curving up into a wall, so there is no horizon line.
    profile = [(y, 0.0) for y in (-3.0, -1.0, 0.0, 0.3)]
    for i in range(1, 9):
        a = math.pi / 2 * i / 8
        profile.append((0.3 + 0.6 * math.sin(a), 0.6 * (1 - math.cos(a))))
    profile += [(0.9, 1.5), (0.9, 3.0)]
    verts = [(x, y, z) for x in (-3.0, 3.0) for y, z in profile]
    n = len(profile)
    faces = [(i, i + 1, n + i + 1, n + i) for i in range(n - 1)]
    mesh = bpy.data.meshes.new("cyc")
    mesh.from_pydata(verts, [], faces)
    mesh.polygons.foreach_set("use_smooth", [True] * len(mesh.polygons))
    obj = bpy.data.objects.new("cyc", mesh)
    link(obj, material("backdrop", colour, rough=0.85, bump=0.05))

    world = bpy.data.worlds.new("world")
    bpy.context.scene.world = world
    world.use_nodes = True
    env = world.node_tree.nodes.new("ShaderNodeTexEnvironment")
    env.image = bpy.data.images.load(f"{bpy.utils.resource_path('LOCAL')}/datafiles/"
                                     f"studiolights/world/{hdri}"
                                     if Path(f"{bpy.utils.resource_path('LOCAL')}/datafiles/"
                                             f"studiolights/world/{hdri}").exists()
                                     else f"/usr/share/blender/datafiles/studiolights/world/"
                                     f"{hdri}")
    background = world.node_tree.nodes["Background"]
    background.inputs["Strength"].default_value = 0.8
    world.node_tree.links.new(env.outputs["Color"], background.inputs["Color"])

    key = bpy.data.lights.new("key", "AREA")
    key.energy, key.size = 60, 1.2
    key_obj = bpy.data.objects.new("key", key)
    key_obj.location = (-0.9, -0.8, 1.2)
    key_obj.rotation_euler = (math.radians(45), 0, math.radians(-45))
    bpy.context.collection.objects.link(key_obj)
    fill = bpy.data.lights.new("fill", "AREA")
    fill.energy, fill.size = 15, 1.5
    fill_obj = bpy.data.objects.new("fill", fill)
    fill_obj.location = (1.0, -0.6, 0.6)
    fill_obj.rotation_euler = (math.radians(60), 0, math.radians(55))
    bpy.context.collection.objects.link(fill_obj)


def frame(objs, view: str, tight=1.0):
    """Point a camera at the objects' bounding box so they fill a 4:5 portrait frame."""
    bpy.context.view_layer.update()
    points = [obj.matrix_world @ Vector(corner) for obj in objs for corner in obj.bound_box]
    lo = Vector((min(p.x for p in points), min(p.y for p in points), min(p.z for p in points)))
    hi = Vector((max(p.x for p in points), max(p.y for p in points), max(p.z for p in points)))
    centre, size = (lo + hi) / 2, (hi - lo).length
    cam = bpy.data.cameras.new("cam")
    cam.lens = 70
    cam.dof.use_dof = True
    cam.dof.aperture_fstop = 11.0
    obj = bpy.data.objects.new("cam", cam)
    bpy.context.collection.objects.link(obj)
    distance = size * 3.2 * tight
    if view == "top":
        direction = Vector((0.02, -0.05, 1)).normalized()
    else:
        direction = Vector((0.25, -1, 0.55)).normalized()
    obj.location = centre + direction * distance
    obj.rotation_euler = (centre - obj.location).to_track_quat("-Z", "Y").to_euler()
    cam.dof.focus_distance = distance
    bpy.context.scene.camera = obj


def place(names: list[str]):
    """Arrange several products side by side on the table; returns all their objects."""
    objs, x = [], 0.0
    rng = random.Random(len(names))
    for i, name in enumerate(names):
        shape, params, _ = PRODUCTS[name]
        parts = SHAPES[shape](**params)
        bpy.context.view_layer.update()
        xs = [(o.matrix_world @ Vector(c)).x for o in parts for c in o.bound_box]
        width = max(xs) - min(xs)
        offset = x - min(xs)
        group(parts, (offset, (0.06 if i % 2 else -0.04) + rng.uniform(-0.02, 0.02), 0))
        x += width + 0.03
        objs += parts
    for obj in objs:
        obj.location.x -= x / 2
    return objs


def render(path: Path, samples: int, denoise: str | None = None):
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    # Blender's own denoiser is not in Debian's build (see denoise_frame); adaptive
    # sampling, clamping and blurred glossy paths keep the noise down either way.
    scene.cycles.use_denoising = False
    scene.cycles.use_adaptive_sampling = True
    scene.cycles.adaptive_threshold = 0.04
    scene.cycles.sample_clamp_indirect = 3.0
    scene.cycles.blur_glossy = 1.0
    scene.cycles.max_bounces = 4
    scene.cycles.caustics_reflective = scene.cycles.caustics_refractive = False
    scene.render.resolution_x, scene.render.resolution_y = WIDTH, HEIGHT
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "JPEG"
    scene.render.image_settings.quality = 88
    scene.view_settings.view_transform = "Filmic"
    scene.view_settings.look = "Medium High Contrast"
    if denoise is None:
        scene.render.filepath = str(path)
        bpy.ops.render.render(write_still=True)
        return
    with tempfile.TemporaryDirectory() as passes:
        write_passes(scene, Path(passes))
        bpy.ops.render.render(write_still=False)
        denoise_frame(scene, Path(passes), path, denoise)


PASSES = {"colour": "Image", "albedo": "Denoising Albedo", "normal": "Denoising Normal"}


def write_passes(scene, folder: Path):
    """Have the compositor write the scene-linear colour and the denoising passes as EXR."""
    scene.view_layers[0].cycles.denoising_store_passes = True
    scene.use_nodes = True
    tree = scene.node_tree
    tree.nodes.clear()
    layers = tree.nodes.new("CompositorNodeRLayers")
    tree.links.new(layers.outputs["Image"], tree.nodes.new("CompositorNodeComposite").inputs[0])
    out = tree.nodes.new("CompositorNodeOutputFile")
    out.base_path = str(folder)
    out.format.file_format = "OPEN_EXR"
    out.format.color_depth = "32"
    out.file_slots.clear()
    for slot, socket in PASSES.items():
        out.file_slots.new(slot)
        tree.links.new(layers.outputs[socket], out.inputs[slot])


def denoise_frame(scene, passes: Path, path: Path, python: str):
    """Denoise the linear colour with its albedo and normals (denoise.py, in its own
    Python: pyoidn's bundled libraries crash inside Blender's process), then save it
    through the scene's view transform (Filmic) as the JPEG.
    """
    size = WIDTH * HEIGHT * 4
    for slot in PASSES:
        image = bpy.data.images.load(str(next(passes.glob(f"{slot}*.exr"))))
        pixels = array("f", bytes(4 * size))
        image.pixels.foreach_get(pixels)
        bpy.data.images.remove(image)
        (passes / f"{slot}.f32").write_bytes(pixels.tobytes())
    subprocess.run([python, str(HERE / "denoise.py"), str(WIDTH), str(HEIGHT), str(passes)],
                   check=True)
    pixels = array("f")
    pixels.frombytes((passes / "clean.f32").read_bytes())
    image = bpy.data.images.new("denoised", WIDTH, HEIGHT, float_buffer=True)
    image.pixels.foreach_set(pixels)
    image.save_render(str(path), scene=scene)
    bpy.data.images.remove(image)


def main(argv: list[str]):
    only = set(argv[argv.index("--only") + 1:]) if "--only" in argv else None
    samples = int(argv[argv.index("--samples") + 1]) if "--samples" in argv else 32
    denoise = argv[argv.index("--denoiser") + 1] if "--denoiser" in argv else None
    jobs = [(name, [name], spec[2], "eye") for name, spec in PRODUCTS.items()]
    jobs += [(name, SCENE_PRODUCTS[name], *look) for name, look in SCENE_LOOKS.items()]
    for name, names, bg, view in jobs:
        if only and name not in only or not only and (HERE / f"{name}.jpg").exists():
            continue
        reset()
        backdrop(bg)
        objs = place(names)
        frame(objs, view, tight=0.85 if len(names) == 1 else 0.75)
        render(HERE / f"{name}.jpg", samples, denoise)


if __name__ == "__main__":
    main(sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else [])
