#!/bin/sh
# Put Acting Mirror in this user's application menu, pointing at this unpacked folder.
# Run it once after unpacking the tarball (again if you move the folder):
#   ./acting-mirror/install-desktop-entry.sh          (--remove takes the entry away)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
id=io.github.actingmirror.ActingMirror
data=${XDG_DATA_HOME:-$HOME/.local/share}
entry="$data/applications/$id.desktop"
icons="$data/icons/hicolor"
if [ "${1:-}" = "--remove" ]; then
    rm -f "$entry" "$icons/scalable/apps/$id.svg" "$icons/256x256/apps/$id.png"
    echo "Acting Mirror's menu entry is gone (your takes and settings are kept)."
    exit 0
fi
mkdir -p "$data/applications" "$icons/scalable/apps" "$icons/256x256/apps"
cp "$here/acting-mirror.svg" "$icons/scalable/apps/$id.svg"
cp "$here/acting-mirror-256.png" "$icons/256x256/apps/$id.png"
# Exec takes a quoted path (the folder may have spaces); TryExec a plain one
sed -e "s|^Exec=.*|Exec=\"$here/acting-mirror\"|" -e "s|^TryExec=.*|TryExec=$here/acting-mirror|" \
    "$here/$id.desktop" > "$entry"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$data/applications" || true
echo "Acting Mirror is in your applications menu ($entry)."
