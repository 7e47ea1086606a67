#!/usr/bin/env bash
# Builds the photo folder for bench/unseen/cases from Debian's sample images (dev-only: needs
# apt-get and Debian's mirror; nothing in the tests or the quick start uses it).
#   bash bench/unseen/fetch-photos.sh /tmp/unseen-data      (from the repository root: it uses its sharp)
#   npx smartdrag bench --suite cases --data /tmp/unseen-data --out /tmp/unseen-bench
# Packages: opencv-doc (4.6.0+dfsg-12) and python3-skimage (0.19.3-8), Debian bookworm; and
# lomiri-wallpapers-20.04 (20.04.0-2) for a real 20.4 MP photo, kept as its JPEG (CC-BY-SA-3.0,
# Lukas Baubkus: Kleiber_by_Lukas_Baubkus.jpg, a nuthatch on a trunk before a defocused background);
# mate-backgrounds (1.26.0-1, GPL-2+) for five more real photos, kept as JPEGs (TwoWings.jpg, two
# dandelion seeds before a defocused background; RainDrops.jpg, drops on a leaf; LadyBird.jpg, a
# ladybird on a stem; Garden.jpg, a marigold; Aqua.jpg, the crown of a splash; YellowFlower.jpg —
# all 2560 × 1600) and a painting (Elephants_5640x3172.jpg, 17.9 MP).
set -euo pipefail
OUT="${1:?usage: fetch-photos.sh <data folder>}"
HERE="$(cd "$(dirname "$0")" && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
( cd "$TMP" && apt-get download opencv-doc python3-skimage lomiri-wallpapers-20.04 mate-backgrounds >/dev/null && for f in *.deb; do dpkg -x "$f" x; done )
mkdir -p "$OUT/photos" "$OUT/cases"
S="$TMP/x/usr/lib/python3/dist-packages/skimage/data"
D="$TMP/x/usr/share/doc/opencv-doc/examples/data"
A="$TMP/x/usr/share/doc/opencv-doc/examples/alphamat/input_images"
cp "$HERE"/cases/*.json "$OUT/cases/"
# name:source — each converted to an opaque 8-bit PNG (transparency flattened on white).
for pair in chelsea:$S/chelsea.png astronaut:$S/astronaut.png horse:$S/horse.png coffee:$S/coffee.png \
  motorcycle_left:$S/motorcycle_left.png fruits:$D/fruits.jpg orange:$D/orange.jpg squirrel_cls:$D/squirrel_cls.jpg \
  chicky_512:$D/chicky_512.png pca_test1:$D/pca_test1.jpg plant:$A/plant.jpg; do
  name="${pair%%:*}"; src="${pair#*:}"
  node -e "require('sharp')(process.argv[1]).flatten({background:'#ffffff'}).png().toFile(process.argv[2])" "$src" "$OUT/photos/$name.png"
done
cp "$TMP/x/usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg" "$OUT/photos/kleiber.jpg"
cp "$TMP/x/usr/share/backgrounds/mate/nature/TwoWings.jpg" "$OUT/photos/twowings.jpg"
cp "$TMP/x/usr/share/backgrounds/mate/nature/RainDrops.jpg" "$OUT/photos/raindrops.jpg"
# Session 33: three more real photos of mate-backgrounds, kept as their JPEGs under their own names.
for f in LadyBird Garden Aqua YellowFlower; do cp "$TMP/x/usr/share/backgrounds/mate/nature/$f.jpg" "$OUT/photos/$f.jpg"; done
# and a painting the size of a large document (5640 × 3172, 17.9 MP): elephants in blue.
cp "$TMP/x/usr/share/backgrounds/mate/abstract/Elephants_5640x3172.jpg" "$OUT/photos/"
echo "$(ls "$OUT/cases" | wc -l) cases, $(ls "$OUT/photos" | wc -l) photos in $OUT"
