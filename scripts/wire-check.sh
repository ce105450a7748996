#!/usr/bin/env bash
# Shows, from a packet capture, that what `chat` puts on the wire gives away
# neither the text of a message nor who sent or received it.
#
# It makes a throwaway PKI with two users, starts `chat serve` on a free
# loopback port, captures that port on `lo` with tshark, has bob `chat tail`
# while alice `chat send`s a distinctive text, and searches the capture for
# the text and both user names in three ways: the raw capture file's bytes,
# tshark's full decode (every dissected field plus the hex/ASCII dump), and
# each TCP connection's payload reassembled in order (so a word split across
# two segments is still found). The server certificate is checked for the
# user names too (TLS 1.3 encrypts both certificates, TLS 1.2 would not).
#
# Then the same check runs against a plain-TCP stand-in (a tiny relay that
# passes the same text and names in clear) and must find them there: proof
# that the check can fail.
#
# Exit 0 only when the chat capture is clean and the stand-in was caught.
# Exit 1 otherwise, or when tshark is missing and cannot be installed.
# Loopback only; everything lives in a temporary directory removed on exit,
# and everything started is stopped. WIRE_CHECK_KEEP=1 keeps the directory
# (with both captures) and prints its path.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CHAT=(node "$ROOT/bin/chat.js")

case ${1:-} in
  '') ;;
  -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "wire-check: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

# A reproducible default configuration: nothing from the caller's CHAT_* variables.
while read -r name; do unset "$name"; done < <(compgen -e | grep '^CHAT_' || true)

say() { printf '%s\n' "$*"; }
die() { printf 'wire-check: %s\n' "$*" >&2; exit 1; }

WORK=''
PIDS=()

# stop PID...: SIGTERM, up to 5 s, then SIGKILL; always reaped.
stop() {
  local pid
  for pid in "$@"; do
    [[ -n $pid ]] || continue
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
}

cleanup() {
  local status=$?
  # Newest first: clients, then servers, then captures.
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop "${PIDS[i]}"; done
  if [[ -n $WORK && -d $WORK ]]; then
    if [[ ${WIRE_CHECK_KEEP:-} == 1 ]]; then say "kept $WORK"; else rm -rf "$WORK"; fi
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'echo "wire-check: unexpected failure at line $LINENO" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_tshark() {
  command -v tshark >/dev/null && return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    die "tshark is not installed: install it (Debian/Ubuntu: sudo apt-get install tshark) and run again"
  fi
  say "installing tshark with apt-get ..."
  # Not asked, and not setuid: only root captures (this script runs as root).
  echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
  local log
  log=$(mktemp)
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends tshark >"$log" 2>&1; then
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends tshark; } >>"$log" 2>&1; then
      tail -n 5 "$log" >&2
      rm -f "$log"
      die "apt-get could not install tshark (see above)"
    fi
  fi
  rm -f "$log"
  command -v tshark >/dev/null || die "tshark was installed but is not on PATH"
}

# wait_for FILE PATTERN SECONDS WHAT [PID]: until grep -E finds PATTERN in FILE.
wait_for() {
  local file=$1 pattern=$2 seconds=$3 what=$4 pid=${5:-}
  for _ in $(seq $((seconds * 10))); do
    grep -Eq -- "$pattern" "$file" 2>/dev/null && return 0
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$file" >&2 || true
      die "$what: the process ended first"
    fi
    sleep 0.1
  done
  tail -n 20 "$file" >&2 || true
  die "$what: not seen within $seconds s"
}

# start_capture PORT PCAP: tshark on lo for that TCP port only; sets CAPTURE_PID.
start_capture() {
  local port=$1 pcap=$2
  tshark -i lo -f "tcp port $port" -F pcap -w "$pcap" >"$pcap.log" 2>&1 &
  CAPTURE_PID=$!
  PIDS+=("$CAPTURE_PID")
  wait_for "$pcap.log" "Capturing on" 15 "tshark on lo" "$CAPTURE_PID"
  sleep 0.5 # dumpcap says it is capturing a moment before the filter is live
}

stop_capture() {
  sleep 0.5 # let the last FIN/ACKs land in the file
  kill -INT "$CAPTURE_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$CAPTURE_PID" 2>/dev/null || break; sleep 0.1; done
  stop "$CAPTURE_PID"
}

# inspect PCAP PORT: searches the capture for every needle (NEEDLES) and
# prints where each was found; FOUND is set to how many were found anywhere.
inspect() {
  local pcap=$1 port=$2 needle n
  local -a found_in
  FOUND=0
  # Every dissected field, undissected payload shown as text too, plus the hex/ASCII dump.
  tshark -r "$pcap" -d "tcp.port==$port,tls" -o data.show_as_text:TRUE -V -x >"$pcap.decode.txt" 2>/dev/null
  tshark -r "$pcap" -T fields -e tcp.stream -e tcp.srcport -e tcp.payload >"$pcap.payload.tsv" 2>/dev/null
  # One file per direction of each TCP connection: its whole payload, in order.
  mkdir "$pcap.streams"
  node -e '
    const fs = require("node:fs");
    const [tsv, dir] = process.argv.slice(1);
    const streams = new Map();
    for (const line of fs.readFileSync(tsv, "utf8").split("\n")) {
      const [stream, src, hex] = line.split("\t");
      if (!hex) continue;
      const key = `${stream}-from-${src}`;
      streams.set(key, [...(streams.get(key) ?? []), Buffer.from(hex.replace(/:/g, ""), "hex")]);
    }
    for (const [key, parts] of streams) fs.writeFileSync(`${dir}/${key}.bin`, Buffer.concat(parts));
  ' "$pcap.payload.tsv" "$pcap.streams"
  local packets bytes
  packets=$(tshark -r "$pcap" -T fields -e frame.len 2>/dev/null | wc -l)
  bytes=$(tshark -r "$pcap" -T fields -e frame.len 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
  say "  capture           $packets packets, $bytes bytes on the wire, $(find "$pcap.streams" -type f | wc -l) directions with payload"
  for needle in "${NEEDLES[@]}"; do
    found_in=()
    n=$({ grep -o -a -F -- "$needle" "$pcap" || true; } | wc -l)
    [[ $n -gt 0 ]] && found_in+=("raw capture bytes ${n}×")
    n=$({ grep -o -F -- "$needle" "$pcap.decode.txt" || true; } | wc -l)
    [[ $n -gt 0 ]] && found_in+=("tshark decode ${n}×")
    n=$({ grep -l -r -a -F -- "$needle" "$pcap.streams" || true; } | wc -l)
    [[ $n -gt 0 ]] && found_in+=("reassembled payload of $n directions")
    if [[ ${#found_in[@]} -eq 0 ]]; then
      say "  $(printf '%-17s' "${NEEDLE_LABEL[$needle]}") not found: \"$needle\""
    else
      FOUND=$((FOUND + 1))
      say "  $(printf '%-17s' "${NEEDLE_LABEL[$needle]}") FOUND in $(IFS=';'; echo "${found_in[*]}" | sed 's/;/, /g'): \"$needle\""
    fi
  done
}

command -v node >/dev/null || die "node is not on PATH"
command -v openssl >/dev/null || die "openssl is not on PATH"
ensure_tshark
WORK=$(mktemp -d "${TMPDIR:-/tmp}/chat-wire-check.XXXXXX")
say "tshark: $(tshark --version 2>/dev/null | head -n 1)"

# Names and text unique to this run, long enough that ciphertext never
# contains them by chance.
SUFFIX=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
ALICE="alice-$SUFFIX"
BOB="bob-$SUFFIX"
TEXT="wire-check $SUFFIX: the quarterly numbers are in the blue folder"
NEEDLES=("$TEXT" "$ALICE" "$BOB")
declare -A NEEDLE_LABEL=(["$TEXT"]="message text" ["$ALICE"]="sender's name" ["$BOB"]="reader's name")

"${CHAT[@]}" certs --dir "$WORK/pki" --user "$ALICE" >"$WORK/certs.log" 2>&1 &&
  "${CHAT[@]}" certs client "$BOB" --dir "$WORK/pki" >>"$WORK/certs.log" 2>&1 ||
  { cat "$WORK/certs.log" >&2; die "chat certs failed"; }

result=0

# --- the server certificate must not name any user --------------------------
say ""
say "== server certificate ($(openssl x509 -in "$WORK/pki/server.crt" -noout -subject | sed 's/^subject=//'))"
cert_clean=true
for needle in "$ALICE" "$BOB"; do
  if openssl x509 -in "$WORK/pki/server.crt" -outform DER | grep -q -a -F -- "$needle" ||
    openssl x509 -in "$WORK/pki/server.crt" -noout -text | grep -q -F -- "$needle"; then
    say "  FOUND \"$needle\" in server.crt"
    cert_clean=false
  fi
done
if "$cert_clean"; then say "  PASS: no user name in server.crt"; else result=1; fi

# --- chat over TLS -------------------------------------------------------------
"${CHAT[@]}" serve --certs "$WORK/pki" --data "$WORK/data" --host 127.0.0.1 --port 0 >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
wait_for "$WORK/serve.log" '"msg":"listening"' 30 "chat serve" "$SERVER_PID"
PORT=$(sed -n 's/.*"port":\([0-9][0-9]*\).*"msg":"listening".*/\1/p' "$WORK/serve.log" | head -n 1)
say ""
say "== chat serve on 127.0.0.1:$PORT (default configuration), captured on lo"
start_capture "$PORT" "$WORK/chat.pcap"
CHAT_CAPTURE_PID=$CAPTURE_PID

client=(--certs "$WORK/pki" --host 127.0.0.1 --port "$PORT")
"${CHAT[@]}" tail "${client[@]}" --user "$BOB" --history 10 >"$WORK/tail.out" 2>"$WORK/tail.err" &
TAIL_PID=$!
PIDS+=("$TAIL_PID")
wait_for "$WORK/serve.log" "\"user\":\"$BOB\".*\"msg\":\"connection open\"" 30 "bob's chat tail" "$TAIL_PID"
sleep 0.5 # bob's hello and join
timeout 30 "${CHAT[@]}" send "${client[@]}" --user "$ALICE" "$TEXT" >"$WORK/send.out" 2>&1 ||
  { cat "$WORK/send.out" >&2; die "alice's chat send failed"; }
wait_for "$WORK/tail.out" "$SUFFIX: the quarterly" 15 "the message at bob's chat tail" "$TAIL_PID"
say "  bob's tail printed $(grep -F -- "$SUFFIX" "$WORK/tail.out" | head -n 1)"
stop "$TAIL_PID" "$SERVER_PID"
CAPTURE_PID=$CHAT_CAPTURE_PID
stop_capture

# What the capture says about the TLS in use.
tls=(-r "$WORK/chat.pcap" -d "tcp.port==$PORT,tls")
hellos=$(tshark "${tls[@]}" -Y 'tls.handshake.type == 2' -T fields \
  -e tls.handshake.extensions.supported_version -e tls.handshake.ciphersuite 2>/dev/null | sort | uniq -c |
  awk '{ printf "%s%s× version %s suite %s", (NR > 1 ? "; " : ""), $1, $2, $3 }')
clear_certs=$(tshark "${tls[@]}" -Y 'tls.handshake.type == 11' 2>/dev/null | wc -l)
# TLS 1.3 hides every record after the ServerHello behind the outer type 23
# (the Certificate messages included); tshark calls that field opaque_type.
app_records=$(tshark "${tls[@]}" -T fields -e tls.record.content_type -e tls.record.opaque_type 2>/dev/null |
  tr ',\t' '\n\n' | grep -c '^23$' || true)
say "  ServerHello       ${hellos:-none seen} (0x0304 = TLS 1.3, 0x1302 = TLS_AES_256_GCM_SHA384)"
say "  in the clear      $clear_certs Certificate messages; $app_records encrypted records (type 23)"
inspect "$WORK/chat.pcap" "$PORT"
if [[ $FOUND -eq 0 && $clear_certs -eq 0 && -n $hellos ]]; then
  say "  result            PASS: neither the text nor a user name is on the wire"
else
  say "  result            FAIL: the chat capture gives something away (or saw no TLS)"
  result=1
fi

# --- calibration: the same check against plain TCP ----------------------------
cat >"$WORK/plain.js" <<'JS'
// A plain-TCP stand-in for chat: `relay` passes each connection's bytes to
// the others; `listen NAME` says hello and prints what arrives until the
// needle shows; `say NAME TEXT` says hello and sends one message.
const net = require('node:net');
const [mode, a, b] = process.argv.slice(2);
if (mode === 'relay') {
  const peers = new Set();
  const server = net.createServer((socket) => {
    peers.add(socket);
    socket.on('data', (data) => { for (const peer of peers) if (peer !== socket) peer.write(data); });
    socket.on('close', () => peers.delete(socket));
    socket.on('error', () => peers.delete(socket));
  });
  server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
  process.on('SIGTERM', () => { for (const p of peers) p.destroy(); server.close(() => process.exit(0)); });
} else {
  const [port, name, text] = [Number(process.env.PLAIN_PORT), a, b];
  const socket = net.connect(port, '127.0.0.1', () => {
    socket.write(`${JSON.stringify({ type: 'hello', user: name })}\n`);
    if (mode === 'say') socket.end(`${JSON.stringify({ type: 'send', room: '#general', from: name, text })}\n`);
    else console.log('ready');
  });
  socket.setEncoding('utf8');
  socket.on('data', (data) => { process.stdout.write(data); if (data.includes('"send"')) socket.end(); });
  socket.on('error', (error) => { console.error(error.message); process.exit(1); });
}
JS
node "$WORK/plain.js" relay >"$WORK/relay.out" 2>&1 &
RELAY_PID=$!
PIDS+=("$RELAY_PID")
wait_for "$WORK/relay.out" '^port [0-9]+' 15 "the plain-TCP relay" "$RELAY_PID"
PLAIN_PORT=$(sed -n 's/^port //p' "$WORK/relay.out")
export PLAIN_PORT
say ""
say "== calibration: a plain-TCP stand-in on 127.0.0.1:$PLAIN_PORT, same names and text in clear"
start_capture "$PLAIN_PORT" "$WORK/plain.pcap"
node "$WORK/plain.js" listen "$BOB" >"$WORK/plain-bob.out" 2>&1 &
PLAIN_BOB_PID=$!
PIDS+=("$PLAIN_BOB_PID")
wait_for "$WORK/plain-bob.out" '^ready' 15 "the plain-TCP listener" "$PLAIN_BOB_PID"
timeout 15 node "$WORK/plain.js" say "$ALICE" "$TEXT" >"$WORK/plain-alice.out" 2>&1 ||
  { cat "$WORK/plain-alice.out" >&2; die "the plain-TCP sender failed"; }
wait_for "$WORK/plain-bob.out" "$SUFFIX: the quarterly" 15 "the message at the plain-TCP listener" "$PLAIN_BOB_PID"
stop "$PLAIN_BOB_PID" "$RELAY_PID"
stop_capture
inspect "$WORK/plain.pcap" "$PLAIN_PORT"
if [[ $FOUND -eq ${#NEEDLES[@]} ]]; then
  say "  result            DETECTED: the check finds all ${#NEEDLES[@]} in clear text, so it can fail (calibration OK)"
else
  say "  result            NOT DETECTED: only $FOUND of ${#NEEDLES[@]} found in clear text; the check is blind (calibration FAILED)"
  result=1
fi

say ""
if [[ $result -eq 0 ]]; then
  say "wire-check: PASS (chat capture clean; plain-TCP calibration detected)"
else
  say "wire-check: FAIL (see above)"
fi
exit "$result"
