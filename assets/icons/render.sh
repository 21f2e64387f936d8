#!/bin/sh
# Renders the SVG icon sources to the PNGs the kiosk loads (needs rsvg-convert from
# Debian's librsvg2-bin). The PNGs are committed, so building needs no SVG renderer.
set -eu
cd "$(dirname "$0")"
for source in src/*.svg; do
    name=$(basename "$source" .svg)
    rsvg-convert -w 128 -h 128 "$source" -o "$name.png"
done
