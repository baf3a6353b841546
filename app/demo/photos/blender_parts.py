"""Blender building blocks for the demo renders: materials and primitive geometry.

Imported by product_models.py and render.py inside Blender (`bpy` exists only there).
"""

# ruff: noqa: D103
from __future__ import annotations

import math

import bpy
from mathutils import Vector


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
def link(obj, mat):
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
    return link(obj, mat)


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
