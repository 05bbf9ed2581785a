#!/usr/bin/env bash
# The README's curl walk-through, run for real with curl and jq against
# `slotcast serve` on port 0. TAP output.
set -euo pipefail

slotcast=${SLOTCAST_BIN:?}
dir=$(mktemp -d)
n=0
ok () { n=$((n + 1)); echo "ok $n - $*"; }
fail () { n=$((n + 1)); echo "not ok $n - $*"; exit 1; }
expect () { # expect WANT GOT WHAT
  [ "$1" = "$2" ] && ok "$3" || fail "$3: wanted $1, got $2"
}

coproc SERVER { exec "$slotcast" serve --data-dir "$dir" --http-port 0 --rtsp-port 0 --rtmp-port 0 --public-host media.test 2>"$dir/log"; }
cleanup () { kill "$SERVER_PID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

# Ready when the port line is out (the admin key comes first).
while read -r line <&"${SERVER[0]}"; do
  case $line in
    admin-key=*) ADMIN=${line#admin-key=} ;;
    rtsp-port=*) RTSP=${line#rtsp-port=} ;;
    http-port=*) PORT=${line#http-port=}; break ;;
  esac
done
API=http://127.0.0.1:$PORT/api/v1
echo "1..12"

# A broadcaster of our own.
KEY=$("$slotcast" user add alice --role broadcaster --data-dir "$dir" 2>/dev/null)
expect 43 "${#KEY}" "user add prints an API key"

START=$(date -u -d '+10 sec' +%Y-%m-%dT%H:%M:%SZ)
END=$(date -u -d '+30 min' +%Y-%m-%dT%H:%M:%SZ)
curl -sS -o "$dir/ticket.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" \
  -d "{\"stream\":\"news\",\"start\":\"$START\",\"end\":\"$END\"}" \
  "$API/reservations" > "$dir/code"
expect 201 "$(cat "$dir/code")" "book a slot"
ID=$(jq -r .id "$dir/ticket.json")
TOKEN=$(jq -r .publish_token "$dir/ticket.json")
expect "rtsp://media.test:$RTSP/live/news?token=$TOKEN" \
  "$(jq -r .connection.rtsp_publish_url "$dir/ticket.json")" "ticket has the publish URL"

expect "$ID" "$(curl -sS -H "Authorization: Bearer $KEY" "$API/reservations" | jq -r '.reservations[0].id')" \
  "list shows it"
expect booked "$(curl -sS -H "Authorization: Bearer $KEY" "$API/reservations/$ID" | jq -r .state)" \
  "fetch one"
expect "$TOKEN" "$(curl -sS -H "Authorization: Bearer $KEY" "$API/reservations/$ID/ticket" | jq -r .publish_token)" \
  "fetch its ticket again"
expect 3 "$(curl -sS -H "Authorization: Bearer $KEY" "$API/availability?from=$START&to=$END" | jq -r '.nodes[0].free[0].free')" \
  "availability: 3 of 4 places free"
expect 409 "$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" \
  -d "{\"stream\":\"news\",\"start\":\"$START\",\"end\":\"$END\"}" "$API/reservations")" \
  "booking the same stream again is a conflict"
expect 200 "$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ADMIN" \
  -d "{\"stream\":\"news\",\"token\":\"$TOKEN\",\"node\":\"local\"}" "$API/ingest/authorize")" \
  "the token is good for its stream"
expect cancelled "$(curl -sS -X DELETE -H "Authorization: Bearer $KEY" "$API/reservations/$ID" | jq -r .state)" \
  "cancel it"
expect "reservation cancelled" "$(curl -sS -H "Authorization: Bearer $ADMIN" \
  -d "{\"stream\":\"news\",\"token\":\"$TOKEN\",\"node\":\"local\"}" "$API/ingest/authorize" | jq -r .error.message)" \
  "a cancelled reservation's token is refused"
expect 401 "$(curl -sS -o /dev/null -w '%{http_code}' "$API/reservations")" "no key, no answer"
