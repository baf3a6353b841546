"""The demo products as Blender models, built from blender_parts' primitives.

Each `m_<shape>` returns its objects standing on z=0 around the origin; SHAPES maps a
shape's name to its builder, for render.py's photograph list.
"""

# ruff: noqa: D103
from __future__ import annotations

import math

from blender_parts import box, cylinder, lathe, material, rgb, shell, torus


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


SHAPES = {name[2:]: fn for name, fn in globals().items() if name.startswith("m_")}
