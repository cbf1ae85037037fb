#!/usr/bin/env python3
"""Trims a Swagger 2.0 document to the definitions reachable from the named roots, without descriptions.

usage: trim.py SWAGGER.json OUT.json ROOT [ROOT...]

The output keeps every definition a root reaches through $ref, with its types, required fields,
enums, formats and Kubernetes extensions; only "description" annotations are dropped (a property
that is itself named "description" is kept). Keys are sorted, so the same input gives the same file.
"""
import json
import sys

SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def strip(schema):
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key == "description":
            continue
        if key == "properties":
            out[key] = {name: strip(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = strip(value)
        elif key in SCHEMA_LISTS:
            out[key] = [strip(sub) for sub in value]
        else:
            out[key] = value
    return out


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def main():
    source, target, *roots = sys.argv[1:]
    with open(source, encoding="utf-8") as file:
        definitions = json.load(file)["definitions"]
    kept, queue = {}, list(roots)
    while queue:
        name = queue.pop()
        if name in kept:
            continue
        if name not in definitions:
            sys.exit(f"{source}: no definition {name}")
        kept[name] = strip(definitions[name])
        for ref in refs(kept[name]):
            prefix = "#/definitions/"
            if not ref.startswith(prefix):
                sys.exit(f"{name}: a $ref outside the document: {ref}")
            queue.append(ref[len(prefix):])
    with open(target, "w", encoding="utf-8") as file:
        json.dump({"roots": roots, "definitions": kept}, file, indent=1, sort_keys=True)
        file.write("\n")
    print(f"{target}: {len(kept)} definitions")


if __name__ == "__main__":
    main()
