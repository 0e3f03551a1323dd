#!/usr/bin/env bash
# Prints the home of a JDK >= 21: $JAVA_HOME if new enough, else the newest under /usr/lib/jvm.
set -u
major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1; }
ok() { [ -x "$1/bin/javac" ] && m=$(major "$1") && [ -n "$m" ] && [ "$m" -ge 21 ]; }
if [ -n "${JAVA_HOME:-}" ] && ok "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
best="" bestm=0
for d in /usr/lib/jvm/*/; do
  d=${d%/}
  [ -L "$d" ] && continue
  if ok "$d"; then m=$(major "$d"); if [ "$m" -gt "$bestm" ]; then best=$d bestm=$m; fi; fi
done
echo "$best"
