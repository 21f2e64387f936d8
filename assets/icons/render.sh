#!/bin/sh
# Renders the SVG icon sources to the PNGs the kiosk loads (needs rsvg-convert from
# Debian's librsvg2-bin). The PNGs are committed, so building needs no SVG renderer.
set -eu
cd "$(dirname "$0")"
for source in src/*.svg; do
    name=$(basename "$source" .svg)
    case "$name" in
        how-*) size="-w 384 -h 256" ;;  # the attract screen's pictures, 3:2
        *) size="-w 128 -h 128" ;;
    esac
    # shellcheck disable=SC2086
    rsvg-convert $size "$source" -o "$name.png"
done
