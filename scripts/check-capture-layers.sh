#!/usr/bin/env bash
# Checks that the folders of Sources/MilterCapture depend on each other one way only:
#
#   Files -> Layers -> Reassembly -> Milter -> Render -> Dump      (Writing sits on Files, Layers and Reassembly;
#                                                                  Live, a live session's transcript, on Render)
#
# For each folder it lists the types declared at file level there (struct, enum, class, actor, protocol,
# typealias; private and fileprivate ones cannot be named elsewhere and are skipped), then looks for those
# names, as whole words, in the code of every folder that may not depend on it. Comments are ignored: a doc
# comment may point upwards. Prints each use found and exits 1 if there is any, 0 otherwise.
#
# Usage: scripts/check-capture-layers.sh [SOURCES_DIR]    (default: Sources/MilterCapture, from the repository)
set -euo pipefail
cd "$(dirname "$0")/.."
root="${1:-Sources/MilterCapture}"

# Each folder, and the folders it may name types of.
declare -A allowed=(
    [Files]=""
    [Layers]="Files"
    [Reassembly]="Files Layers"
    [Milter]="Files Layers Reassembly"
    [Render]="Files Layers Reassembly Milter"
    [Dump]="Files Layers Reassembly Milter Render"
    [Writing]="Files Layers Reassembly"
    [Live]="Files Layers Reassembly Milter Render"
)

status=0
for folder in "$root"/*/; do
    name=$(basename "$folder")
    if [[ -z "${allowed[$name]+set}" ]]; then
        echo "check-capture-layers: folder $name has no place in the order; add it to this script" >&2
        status=1
    fi
done

# The file-level types declared in a folder, one a line.
declared_types() {
    cat "$root/$1"/*.swift |
        sed -nE 's/^(@[A-Za-z_]+ +)*((public|package|internal|final|indirect|open) +)*(struct|enum|class|actor|protocol|typealias) +([A-Za-z_][A-Za-z0-9_]*).*/\5/p' |
        sort -u
}

# A folder's code without comments, each line prefixed with its file and line number.
code_of() {
    local file
    for file in "$root/$1"/*.swift; do
        awk -v file="$file" '
            # Drops /* ... */ blocks and // comments (a // inside a string literal is rare here and only hides code).
            {
                line = $0
                if (inBlock) { if (index(line, "*/")) { line = substr(line, index(line, "*/") + 2); inBlock = 0 } else next }
                while (index(line, "/*")) {
                    start = index(line, "/*"); rest = substr(line, start + 2)
                    if (index(rest, "*/")) { line = substr(line, 1, start - 1) substr(rest, index(rest, "*/") + 2) }
                    else { line = substr(line, 1, start - 1); inBlock = 1 }
                }
                sub(/\/\/.*/, "", line)
                if (line ~ /[^ \t]/) print file ":" FNR ": " line
            }' "$file"
    done
}

for user in "${!allowed[@]}"; do
    [[ -d "$root/$user" ]] || continue
    code=$(code_of "$user")
    for owner in "${!allowed[@]}"; do
        [[ "$owner" == "$user" || ! -d "$root/$owner" ]] && continue
        [[ " ${allowed[$user]} " == *" $owner "* ]] && continue
        while read -r type; do
            [[ -n "$type" ]] || continue
            if hits=$(grep -wE -- "$type" <<<"$code"); then
                while read -r hit; do
                    echo "$user names $owner's $type: $hit"
                done <<<"$hits"
                status=1
            fi
        done < <(declared_types "$owner")
    done
done

if ((status == 0)); then echo "check-capture-layers: $root's folders depend one way only"; fi
exit $status
