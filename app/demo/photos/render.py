"""Render the demo's product photographs and note scenes with Blender (Cycles, CPU).

Run by hand, never at seed time (the JPEGs it writes are committed next to it):

    blender -b -P app/demo/photos/render.py -- [--only NAME ...] [--samples 24]

Every model is built here from primitives (lathed profiles, bevelled boxes), lit by the
studio HDRI that ships with Blender plus a soft key light, and denoised. Nothing is
downloaded; the output is the project's own work, released under CC0 (see README.md).
"""

# The product builders (m_<shape>) and scene steps are named for what they make.
# ruff: noqa: D103
from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import bpy
from mathutils import Vector

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT = 320, 400

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


# Materials ------------------------------------------------------------------------------
def material(name: str, color, *, rough=0.5, metal=0.0, glass=0.0, bump=0.0,
             pattern: str | None = None, color2=None, sheen=0.0, clearcoat=0.0):
    """A Principled material; `pattern` paints a plaid, print, stripe or speckle."""
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    nodes, links = mat.node_tree.nodes, mat.node_tree.links
    bsdf = nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*color, 1)
    bsdf.inputs["Roughness"].default_value = rough
    bsdf.inputs["Metallic"].default_value = metal
    bsdf.inputs["Transmission"].default_value = glass
    bsdf.inputs["Sheen"].default_value = sheen
    bsdf.inputs["Clearcoat"].default_value = clearcoat
    if glass:
        bsdf.inputs["IOR"].default_value = 1.45
    if pattern:
        coord = nodes.new("ShaderNodeTexCoord")
        mix = nodes.new("ShaderNodeMixRGB")
        mix.inputs[1].default_value = (*color, 1)
        mix.inputs[2].default_value = (*(color2 or (1, 1, 1)), 1)
        if pattern == "plaid":
            waves = []
            for axis in (0, 1):
                sep = nodes.new("ShaderNodeSeparateXYZ")
                links.new(coord.outputs["Object"], sep.inputs[0])
                wave = nodes.new("ShaderNodeMath")
                wave.operation = "SINE"
                scale = nodes.new("ShaderNodeMath")
                scale.operation = "MULTIPLY"
                scale.inputs[1].default_value = 90
                links.new(sep.outputs[axis], scale.inputs[0])
                links.new(scale.outputs[0], wave.inputs[0])
                waves.append(wave)
            both = nodes.new("ShaderNodeMath")
            both.operation = "MAXIMUM"
            links.new(waves[0].outputs[0], both.inputs[0])
            links.new(waves[1].outputs[0], both.inputs[1])
            ramp = nodes.new("ShaderNodeMath")
            ramp.operation = "GREATER_THAN"
            ramp.inputs[1].default_value = 0.55
            links.new(both.outputs[0], ramp.inputs[0])
            links.new(ramp.outputs[0], mix.inputs[0])
        elif pattern == "stripe":
            wave = nodes.new("ShaderNodeTexWave")
            wave.inputs["Scale"].default_value = 6
            links.new(coord.outputs["Object"], wave.inputs["Vector"])
            ramp = nodes.new("ShaderNodeMath")
            ramp.operation = "GREATER_THAN"
            ramp.inputs[1].default_value = 0.7
            links.new(wave.outputs["Fac"], ramp.inputs[0])
            links.new(ramp.outputs[0], mix.inputs[0])
        else:  # print / speckle: organic blotches like a floral print or glaze specks
            noise = nodes.new("ShaderNodeTexNoise")
            noise.inputs["Scale"].default_value = 14 if pattern == "print" else 160
            noise.inputs["Detail"].default_value = 4
            links.new(coord.outputs["Object"], noise.inputs["Vector"])
            ramp = nodes.new("ShaderNodeMath")
            ramp.operation = "GREATER_THAN"
            ramp.inputs[1].default_value = 0.58 if pattern == "print" else 0.68
            links.new(noise.outputs["Fac"], ramp.inputs[0])
            links.new(ramp.outputs[0], mix.inputs[0])
        links.new(mix.outputs[0], bsdf.inputs["Base Color"])
    if bump:
        noise = nodes.new("ShaderNodeTexNoise")
        noise.inputs["Scale"].default_value = 400
        bump_node = nodes.new("ShaderNodeBump")
        bump_node.inputs["Strength"].default_value = bump
        links.new(noise.outputs["Fac"], bump_node.inputs["Height"])
        links.new(bump_node.outputs["Normal"], bsdf.inputs["Normal"])
    return mat


def rgb(hex_colour: str):
    """Convert sRGB hex to the linear values Blender's colour sockets expect."""
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    h = hex_colour.lstrip("#")
    return tuple(channel(int(h[i:i + 2], 16)) for i in (0, 2, 4))


# Geometry -------------------------------------------------------------------------------
def _link(obj, mat):
    bpy.context.collection.objects.link(obj)
    if mat is not None:
        obj.data.materials.append(mat)
    return obj


def lathe(name: str, profile, mat, *, segments=64, at=(0, 0, 0), smooth=True):
    """Revolve (radius, height) points around Z: cups, tins, bottles, pots, jars."""
    verts, faces = [], []
    n = len(profile)
    for s in range(segments):
        a = 2 * math.pi * s / segments
        for r, z in profile:
            verts.append((r * math.cos(a), r * math.sin(a), z))
    for s in range(segments):
        t = (s + 1) % segments
        for i in range(n - 1):
            faces.append((s * n + i, t * n + i, t * n + i + 1, s * n + i + 1))
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(verts, [], faces)
    if smooth:
        mesh.polygons.foreach_set("use_smooth", [True] * len(mesh.polygons))
    obj = bpy.data.objects.new(name, mesh)
    obj.location = at
    return _link(obj, mat)


def box(name: str, size, mat, *, at=(0, 0, 0), bevel=0.004, rot=(0, 0, 0)):
    """A bevelled box standing on z=0 at `at`."""
    bpy.ops.mesh.primitive_cube_add(size=1)
    obj = bpy.context.active_object
    obj.name = name
    obj.scale = size
    obj.location = (at[0], at[1], at[2] + size[2] / 2)
    obj.rotation_euler = rot
    bpy.ops.object.transform_apply(scale=True)
    if bevel:
        mod = obj.modifiers.new("bevel", "BEVEL")
        mod.width, mod.segments = bevel, 3
    bpy.ops.object.shade_smooth()
    obj.data.materials.append(mat)
    return obj


def torus(name: str, major, minor, mat, *, at=(0, 0, 0), rot=(0, 0, 0), scale=(1, 1, 1)):
    bpy.ops.mesh.primitive_torus_add(major_radius=major, minor_radius=minor,
                                     major_segments=48, minor_segments=16)
    obj = bpy.context.active_object
    obj.name = name
    obj.location, obj.rotation_euler, obj.scale = at, rot, scale
    bpy.ops.object.shade_smooth()
    obj.data.materials.append(mat)
    return obj


def cylinder(name: str, radius, depth, mat, *, at=(0, 0, 0), rot=(0, 0, 0)):
    bpy.ops.mesh.primitive_cylinder_add(radius=radius, depth=depth, vertices=48)
    obj = bpy.context.active_object
    obj.name = name
    obj.location, obj.rotation_euler = at, rot
    mod = obj.modifiers.new("bevel", "BEVEL")
    mod.width, mod.segments = min(radius, depth) * 0.08, 2
    bpy.ops.object.shade_smooth()
    obj.data.materials.append(mat)
    return obj


def shell(outer, wall=0.003, floor=0.004):
    """A vessel profile (outer wall bottom to rim) turned into a walled, open-topped cup."""
    inner = [(max(r - wall, 0.0), max(z, floor)) for r, z in reversed(outer)]
    return [(0, 0), *outer, *inner, (0, floor)]


def group(objs, offset):
    """Move a product's parts together."""
    for obj in objs:
        obj.location = Vector(obj.location) + Vector(offset)
    return objs


# Product models: each returns its objects, standing on z=0 around the origin ------------
def m_tin(c, c2="#c9a45a", label="#f3ead8", h=0.13, r=0.045, **_):
    body = material("tin", rgb(c), rough=0.35, metal=0.3, clearcoat=0.4)
    gold = material("lid", rgb(c2), rough=0.25, metal=1.0)
    paper = material("label", rgb(label), rough=0.8, bump=0.1)
    return [lathe("tin", [(0, 0), (r, 0), (r, h), (0, h)], body),
            lathe("band", [(r + 0.0008, h * 0.3), (r + 0.0008, h * 0.68)], paper),
            lathe("lid", [(0, h - 0.01), (r + 0.002, h - 0.01), (r + 0.002, h + 0.028),
                          (r - 0.004, h + 0.031), (0, h + 0.031)], gold)]


def m_cake(c, c2="#b03a2e", **_):
    paper = material("wrap", rgb(c), rough=0.9, bump=0.3, pattern="print", color2=rgb(c2))
    return [lathe("cake", [(0, 0), (0.095, 0.0), (0.1, 0.012), (0.085, 0.028), (0.02, 0.034),
                           (0, 0.03)], paper)]


def m_box(c, c2="#e8d9b5", w=0.16, d=0.1, h=0.09, band=True, **_):
    body = material("box", rgb(c), rough=0.55, bump=0.05)
    objs = [box("box", (w, d, h), body)]
    if band:
        trim = material("band", rgb(c2), rough=0.4, metal=0.4)
        objs.append(box("band", (w + 0.002, d * 0.3, h + 0.002), trim, bevel=0.001))
    return objs


def m_bar(c, c2="#f2eee6", w=0.16, d=0.08, h=0.012, **_):
    wrap = material("wrap", rgb(c), rough=0.6)
    band = material("band", rgb(c2), rough=0.8, bump=0.1)
    return [box("bar", (w, d, h), wrap, bevel=0.002),
            box("sleeve", (w * 0.45, d + 0.002, h + 0.002), band, bevel=0.001)]


def m_soap(c, **_):
    soap = material("soap", rgb(c), rough=0.75, bump=0.4, pattern="speckle",
                    color2=tuple(x * 0.8 for x in rgb(c)))
    return [box("soap", (0.09, 0.06, 0.03), soap, bevel=0.008),
            box("soap2", (0.09, 0.06, 0.03), soap, bevel=0.008, at=(0.1, 0.03, 0),
                rot=(0, 0, 0.4))]


def m_bag(c, c2="#2b2b2b", **_):
    kraft = material("bag", rgb(c), rough=0.85, bump=0.25)
    label = material("label", rgb(c2), rough=0.5)
    return [box("bag", (0.12, 0.07, 0.2), kraft, bevel=0.01),
            box("fold", (0.125, 0.02, 0.03), kraft, at=(0, 0, 0.2), bevel=0.004),
            box("label", (0.08, 0.072, 0.07), label, at=(0, 0, 0.07), bevel=0.001)]


def m_lipstick(c, c2="#c8a24a", count=3, **_):
    case = material("case", rgb(c2), rough=0.2, metal=1.0)
    shades = [c, "#8e2436", "#d46a6a", "#b5465a"]
    objs = []
    for i in range(count):
        x = (i - (count - 1) / 2) * 0.04
        wax = material(f"wax{i}", rgb(shades[i % len(shades)]), rough=0.25, clearcoat=0.6)
        objs += [lathe(f"tube{i}", [(0, 0), (0.011, 0), (0.011, 0.055), (0.009, 0.058),
                                    (0.008, 0.072), (0, 0.072)], case, at=(x, 0, 0)),
                 lathe(f"bullet{i}", [(0, 0.06), (0.0075, 0.06), (0.0075, 0.085),
                                      (0.004, 0.094), (0, 0.096)], wax, at=(x, 0, 0))]
    objs.append(lathe("cap", [(0, 0), (0.0118, 0), (0.0118, 0.05), (0, 0.05)], case,
                      at=(0.0, -0.05, 0.012)))
    objs[-1].rotation_euler = (math.pi / 2, 0, 0.6)
    return objs


def m_bottle(c, c2="#1d1d1d", h=0.16, r=0.03, neck=0.011, glass=0.0, dropper=False,
             label="#f2eee6", **_):
    body = material("bottle", rgb(c), rough=0.08 if glass else 0.3, glass=glass,
                    metal=0.9 if c2 == "steel" else 0.0)
    capm = material("cap", rgb("#b8b8b8" if c2 == "steel" else c2), rough=0.3,
                    metal=0.8 if c2 == "steel" else 0.0)
    shoulder = h * 0.7
    objs = [lathe("bottle", [(0, 0), (r, 0), (r, shoulder), (r * 0.7, shoulder + h * 0.1),
                             (neck, shoulder + h * 0.17), (neck, h), (0, h)], body)]
    if label:
        paper = material("label", rgb(label), rough=0.85, bump=0.1)
        objs.append(lathe("label", [(r + 0.0008, h * 0.18), (r + 0.0008, h * 0.55)], paper))
    if dropper:
        bulb = material("bulb", rgb("#222222"), rough=0.5)
        objs += [lathe("collar", [(0, h), (neck + 0.003, h), (neck + 0.003, h + 0.018),
                                  (0, h + 0.018)], capm),
                 lathe("bulb", [(0, h + 0.018), (neck, h + 0.018), (neck, h + 0.035),
                                (neck * 0.6, h + 0.045), (0, h + 0.047)], bulb)]
    else:
        objs.append(lathe("cap", [(0, h - 0.004), (neck + 0.003, h - 0.004),
                                  (neck + 0.003, h + 0.022), (0, h + 0.022)], capm))
    return objs


def m_jar(c, c2="#2b2b2b", r=0.045, h=0.05, glass=0.0, fill=None, **_):
    body = material("jar", rgb(c), rough=0.1 if glass else 0.35, glass=glass)
    lid = material("lid", rgb(c2), rough=0.3, metal=0.6)
    objs = [lathe("jar", [(0, 0), (r, 0), (r, h), (r * 0.85, h + 0.005), (0, h + 0.005)],
                  body),
            lathe("lid", [(0, h), (r + 0.002, h), (r + 0.002, h + 0.02), (0, h + 0.02)], lid)]
    if fill:
        contents = material("fill", rgb(fill), rough=0.15, glass=0.3)
        objs.append(lathe("fill", [(0, 0.003), (r - 0.003, 0.003), (r - 0.003, h * 0.92),
                                   (0, h * 0.92)], contents))
    return objs


def m_candle(c, c2="#f1e9da", **_):
    glass = material("glass", rgb(c), rough=0.05, glass=1.0)
    wax = material("wax", rgb(c2), rough=0.6, sheen=0.3)
    wick = material("wick", rgb("#222222"), rough=0.9)
    label = material("label", rgb("#f4efe6"), rough=0.85, bump=0.1)
    outer = [(0.042, 0), (0.043, 0.004), (0.043, 0.1)]
    return [lathe("glass", shell(outer, 0.003, 0.006), glass),
            lathe("wax", [(0, 0.006), (0.0395, 0.006), (0.0395, 0.075), (0, 0.072)], wax),
            lathe("label", [(0.0436, 0.028), (0.0436, 0.062)], label),
            cylinder("wick", 0.0012, 0.014, wick, at=(0, 0, 0.079))]


def m_taper(c, **_):
    wax = material("wax", rgb(c), rough=0.5, sheen=0.3)
    brass = material("brass", rgb("#c9a45a"), rough=0.25, metal=1.0)
    objs = []
    for i, x in enumerate((-0.03, 0.03)):
        objs += [lathe(f"holder{i}", [(0, 0), (0.035, 0), (0.036, 0.004), (0.012, 0.01),
                                      (0.01, 0.03), (0.014, 0.035), (0, 0.035)], brass,
                       at=(x, i * 0.02, 0)),
                 lathe(f"taper{i}", [(0, 0.02), (0.01, 0.02), (0.008, 0.24), (0.003, 0.25),
                                     (0, 0.252)], wax, at=(x, i * 0.02, 0))]
    return objs


def m_mug(c, c2="#1b1b1b", **_):
    enamel = material("enamel", rgb(c), rough=0.15, clearcoat=0.8)
    rim = material("rim", rgb(c2), rough=0.2, clearcoat=0.6)
    outer = [(0.04, 0), (0.042, 0.003), (0.042, 0.085)]
    return [lathe("mug", shell(outer, 0.0025, 0.004), enamel),
            lathe("rim", [(0.0425, 0.082), (0.0425, 0.087), (0.039, 0.087)], rim),
            torus("handle", 0.025, 0.004, enamel, at=(0.062, 0, 0.045),
                  rot=(math.pi / 2, 0, 0), scale=(0.9, 1.1, 1))]


def m_cups(c, count=4, spread=0.075, **_):
    glaze = material("glaze", rgb(c), rough=0.12, clearcoat=0.9, pattern="speckle",
                     color2=tuple(x * 0.85 for x in rgb(c)))
    outer = [(0.018, 0), (0.022, 0.004), (0.033, 0.03), (0.037, 0.045)]
    objs = []
    for i in range(count):
        angle = i * 2 * math.pi / count + 0.3
        at = (spread * math.cos(angle) * 0.7, spread * math.sin(angle) * 0.7, 0)
        objs.append(lathe(f"cup{i}", shell(outer, 0.0022, 0.003), glaze, at=at))
    return objs


def m_gaiwan(c, c2="#2f4f8f", **_):
    glaze = material("porcelain", rgb(c), rough=0.1, clearcoat=1.0, pattern="print",
                     color2=rgb(c2))
    bowl = shell([(0.022, 0), (0.026, 0.006), (0.045, 0.045), (0.05, 0.06)], 0.002, 0.004)
    return [lathe("saucer", shell([(0.035, 0), (0.06, 0.008), (0.068, 0.012)], 0.002, 0.003),
                  glaze),
            lathe("bowl", bowl, glaze, at=(0, 0, 0.004)),
            lathe("lid", [(0, 0.078), (0.01, 0.078), (0.01, 0.07), (0.045, 0.058),
                          (0.047, 0.055)], glaze, at=(0, 0, 0))]


def m_teapot(c, metal=0.0, **_):
    clay = material("clay", rgb(c), rough=0.45 if not metal else 0.35, metal=metal,
                    bump=0.15, clearcoat=0.2)
    body = [(0, 0), (0.04, 0), (0.058, 0.012), (0.07, 0.04), (0.066, 0.065), (0.045, 0.085),
            (0.028, 0.09), (0, 0.09)]
    spout = cylinder("spout", 0.008, 0.07, clay, at=(-0.085, 0, 0.065), rot=(0, -0.9, 0))
    return [lathe("pot", body, clay),
            lathe("lid", [(0, 0.088), (0.03, 0.088), (0.03, 0.094), (0.01, 0.1), (0.008, 0.11),
                          (0.012, 0.116), (0, 0.118)], clay),
            spout,
            torus("handle", 0.03, 0.006, clay, at=(0.082, 0, 0.055),
                  rot=(math.pi / 2, 0, 0), scale=(0.8, 1.2, 1))]


def m_tray(c, w=0.34, d=0.22, slats=True, **_):
    wood = material("wood", rgb(c), rough=0.55, pattern="stripe",
                    color2=tuple(x * 0.8 for x in rgb(c)), bump=0.2)
    objs = [box("base", (w, d, 0.018), wood, bevel=0.006)]
    if slats:
        for i in range(9):
            y = -d / 2 + 0.025 + i * (d - 0.05) / 8
            objs.append(box(f"slat{i}", (w - 0.03, 0.012, 0.006), wood, at=(0, y, 0.018),
                            bevel=0.002))
    return objs


def m_bowl(c, c2="#2f4f8f", count=2, **_):
    glaze = material("porcelain", rgb(c), rough=0.1, clearcoat=1.0, pattern="print",
                     color2=rgb(c2))
    outer = [(0.03, 0), (0.034, 0.006), (0.058, 0.04), (0.063, 0.058)]
    return [lathe(f"bowl{i}", shell(outer, 0.0025, 0.004), glaze, at=(i * 0.13 - 0.06,
                                                                     i * 0.03, 0))
            for i in range(count)]


def m_vase(c, speckle=True, **_):
    glaze = material("glaze", rgb(c), rough=0.4, pattern="speckle" if speckle else None,
                     color2=tuple(x * 0.7 for x in rgb(c)), bump=0.2)
    profile = [(0, 0), (0.035, 0), (0.055, 0.04), (0.06, 0.09), (0.04, 0.15), (0.022, 0.19),
               (0.024, 0.215), (0.02, 0.215), (0.018, 0.19), (0, 0.19)]
    return [lathe("vase", profile, glaze)]


def m_caddy(c, **_):
    glaze = material("glaze", rgb(c), rough=0.15, clearcoat=0.9, pattern="speckle",
                     color2=tuple(x * 0.9 for x in rgb(c)))
    wood = material("lid", rgb("#7a5230"), rough=0.5, bump=0.2)
    body = [(0, 0), (0.035, 0), (0.048, 0.03), (0.05, 0.07), (0.035, 0.1), (0.025, 0.105),
            (0, 0.105)]
    return [lathe("caddy", body, glaze),
            lathe("lid", [(0, 0.1), (0.028, 0.1), (0.028, 0.118), (0, 0.122)], wood)]


def m_dripper(c, **_):
    glaze = material("stoneware", rgb(c), rough=0.35, pattern="speckle",
                     color2=tuple(x * 0.6 for x in rgb(c)))
    glass = material("server", rgb("#e8eef0"), rough=0.03, glass=1.0)
    server = shell([(0.05, 0), (0.055, 0.05), (0.05, 0.1), (0.04, 0.12)], 0.002, 0.004)
    cone = shell([(0.02, 0.12), (0.03, 0.125), (0.065, 0.2)], 0.003, 0.124)
    return [lathe("server", server, glass), lathe("dripper", cone, glaze),
            lathe("flange", [(0.02, 0.12), (0.06, 0.12), (0.06, 0.126), (0.02, 0.126)],
                  glaze)]


def m_folded(c, c2=None, pattern=None, w=0.26, d=0.3, h=0.035, stack=1, collar=True, **_):
    cloth = material("cloth", rgb(c), rough=0.9, sheen=0.6, bump=0.35, pattern=pattern,
                     color2=rgb(c2) if c2 else None)
    objs = []
    for i in range(stack):
        objs.append(box(f"fold{i}", (w, d, h), cloth, bevel=0.012,
                        at=(0.01 * i, -0.015 * i, i * h), rot=(0, 0, 0.05 * i)))
    if collar:
        objs.append(torus("collar", 0.045, 0.006, cloth, at=(0, d / 2 - 0.06, stack * h),
                          scale=(1, 0.7, 0.6)))
    return objs


def m_scarf(c, c2="#f6e7e1", **_):
    silk = material("silk", rgb(c), rough=0.3, sheen=1.0, pattern="print", color2=rgb(c2),
                    clearcoat=0.3)
    objs = [box("scarf", (0.24, 0.24, 0.012), silk, bevel=0.005)]
    objs.append(box("drape", (0.24, 0.12, 0.01), silk, bevel=0.004, at=(0.05, 0.1, 0.012),
                    rot=(0, 0, 0.35)))
    return objs


def m_tote(c, c2="#5b3a1e", w=0.3, h=0.34, d=0.08, **_):
    canvas = material("canvas", rgb(c), rough=0.7, bump=0.3, clearcoat=0.15)
    leather = material("leather", rgb(c2), rough=0.45, bump=0.1)
    return [box("bag", (w, d, h), canvas, bevel=0.012),
            torus("handle1", w * 0.22, 0.006, leather, at=(0, d / 2 - 0.01, h),
                  rot=(math.pi / 2, 0, 0), scale=(1, 1.3, 1)),
            torus("handle2", w * 0.22, 0.006, leather, at=(0, -d / 2 + 0.01, h),
                  rot=(math.pi / 2, 0, 0), scale=(1, 1.3, 1))]


def m_clutch(c, c2="#c9a45a", **_):
    brocade = material("brocade", rgb(c), rough=0.4, sheen=0.8, pattern="print",
                       color2=rgb(c2))
    clasp = material("clasp", rgb("#c9a45a"), rough=0.2, metal=1.0)
    return [box("clutch", (0.22, 0.05, 0.12), brocade, bevel=0.015),
            cylinder("clasp", 0.008, 0.01, clasp, at=(0, -0.026, 0.11),
                     rot=(math.pi / 2, 0, 0))]


def m_wallet(c, **_):
    leather = material("leather", rgb(c), rough=0.45, bump=0.15, clearcoat=0.2)
    card = material("card", rgb("#d9d4c7"), rough=0.6)
    return [box("wallet", (0.105, 0.075, 0.008), leather, bevel=0.003),
            box("card", (0.085, 0.054, 0.002), card, at=(0.006, 0.02, 0.008), bevel=0.0005,
                rot=(0, 0, 0.08))]


def m_notebook(c, c2="#c9a45a", **_):
    cover = material("cover", rgb(c), rough=0.7, bump=0.2)
    pages = material("pages", rgb("#f2ecdc"), rough=0.9)
    band = material("band", rgb(c2), rough=0.5)
    return [box("pages", (0.145, 0.205, 0.016), pages, bevel=0.001, at=(0.002, 0, 0.0015)),
            box("back", (0.15, 0.21, 0.0015), cover, bevel=0.0005),
            box("front", (0.15, 0.21, 0.0015), cover, bevel=0.0005, at=(0, 0, 0.0175)),
            box("band", (0.005, 0.212, 0.02), band, bevel=0.001, at=(0.05, 0, 0))]


def m_brushes(c, **_):
    bamboo = material("bamboo", rgb(c), rough=0.45, bump=0.1)
    hair = material("hair", rgb("#2a2018"), rough=0.8)
    objs = []
    for i in range(4):
        y = (i - 1.5) * 0.03
        length = 0.2 - i * 0.015
        objs += [cylinder(f"handle{i}", 0.005 + i * 0.0008, length, bamboo,
                          at=(0, y, 0.006), rot=(0, math.pi / 2, 0)),
                 lathe(f"tip{i}", [(0, 0), (0.006, 0.004), (0.006, 0.02), (0, 0.045)], hair,
                       at=(length / 2, y, 0.006))]
        objs[-1].rotation_euler = (0, math.pi / 2, 0)
    return objs


def m_beanie(c, **_):
    knit = material("knit", rgb(c), rough=0.95, sheen=0.8, bump=0.8)
    dome = [(0, 0.16), (0.04, 0.155), (0.075, 0.13), (0.095, 0.08), (0.1, 0.04), (0, 0.04)]
    return [lathe("crown", dome, knit),
            lathe("cuff", [(0, 0), (0.104, 0), (0.106, 0.045), (0, 0.045)], knit)]


def m_mat(c, **_):
    cork = material("cork", rgb(c), rough=0.9, pattern="speckle",
                    color2=tuple(x * 0.7 for x in rgb(c)), bump=0.6)
    strap = material("strap", rgb("#2b2b2b"), rough=0.7)
    return [cylinder("roll", 0.06, 0.4, cork, at=(0, 0, 0.06), rot=(0, math.pi / 2, 0)),
            cylinder("strap1", 0.0615, 0.02, strap, at=(-0.1, 0, 0.06),
                     rot=(0, math.pi / 2, 0)),
            cylinder("strap2", 0.0615, 0.02, strap, at=(0.1, 0, 0.06),
                     rot=(0, math.pi / 2, 0))]


def m_bangle(c, **_):
    jade = material("jade", rgb(c), rough=0.15, glass=0.35, clearcoat=1.0, pattern="print",
                    color2=tuple(x * 0.75 for x in rgb(c)))
    return [torus("bangle", 0.032, 0.0065, jade, at=(0, 0, 0.0065)),
            torus("bangle2", 0.032, 0.0065, jade, at=(0.045, 0.03, 0.03),
                  rot=(0.9, 0.2, 0))]


def m_sticks(c, count=3, **_):
    """Lip balm tubes lying in a row."""
    shades = [c, "#e6c27a", "#9ccf9c"]
    objs = []
    for i in range(count):
        tube = material(f"tube{i}", rgb(shades[i % 3]), rough=0.4)
        objs.append(cylinder(f"tube{i}", 0.008, 0.068, tube, at=(0, (i - 1) * 0.022, 0.008),
                             rot=(0, math.pi / 2, 0.1 * i)))
    return objs


SHAPES = {name[2:]: fn for name, fn in globals().items() if name.startswith("m_")}

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
sys.path.insert(0, str(HERE.parent))
from note_texts import SCENE_PRODUCTS  # noqa: E402  (a plain data module, no app imports)

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
    _link(obj, material("backdrop", colour, rough=0.85, bump=0.05))

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


def render(path: Path, samples: int):
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    # Debian's Blender has no OpenImageDenoise: adaptive sampling, clamping and blurred
    # glossy paths keep the noise down instead.
    scene.cycles.use_denoising = False
    scene.cycles.use_adaptive_sampling = True
    scene.cycles.adaptive_threshold = 0.04
    scene.cycles.sample_clamp_indirect = 3.0
    scene.cycles.blur_glossy = 1.0
    scene.cycles.max_bounces = 4
    scene.cycles.caustics_reflective = scene.cycles.caustics_refractive = False
    scene.render.resolution_x, scene.render.resolution_y = WIDTH, HEIGHT
    scene.render.image_settings.file_format = "JPEG"
    scene.render.image_settings.quality = 85
    scene.view_settings.view_transform = "Filmic"
    scene.view_settings.look = "Medium High Contrast"
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True)


def main(argv: list[str]):
    only = set(argv[argv.index("--only") + 1:]) if "--only" in argv else None
    samples = int(argv[argv.index("--samples") + 1]) if "--samples" in argv else 12
    jobs = [(name, [name], spec[2], "eye") for name, spec in PRODUCTS.items()]
    jobs += [(name, SCENE_PRODUCTS[name], *look) for name, look in SCENE_LOOKS.items()]
    for name, names, bg, view in jobs:
        if only and name not in only or not only and (HERE / f"{name}.jpg").exists():
            continue
        reset()
        backdrop(bg)
        objs = place(names)
        frame(objs, view, tight=0.85 if len(names) == 1 else 0.75)
        render(HERE / f"{name}.jpg", samples)


if __name__ == "__main__":
    main(sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else [])
