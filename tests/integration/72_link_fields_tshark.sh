#!/bin/sh
# Issue 9: what the link carries, as Wireshark's NetFlow/IPFIX dissector
# reads tapflow's export, against Wireshark's own dissection of the
# replayed capture. A UDP sink on loopback records the export packets of
# each run (v9 and IPFIX); tshark dissects them as cflow. Every packet
# must dissect with no malformed packet and no expert warning or error,
# and every record's sourceMacAddress (56), destinationMacAddress (80),
# vlanId (58), postVlanId (59), mplsTopLabelStackSection and sections 2-3
# (70-72), flowLabelIPv6 (31), layer2SegmentId (351) must equal the
# first packet of its flow as tshark dissects the capture (the packet of
# the record's key at its start time); with -b, the RFC 5103 reverse
# elements (PEN 29305) and biflowDirection (239) must equal the packets of
# the reverse key in the record's reverse time span, each IP packet of the
# capture counted by exactly one record (helpers/linktshark.py).
# Captures: the generator's (VLAN-tagged IPv4 and IPv6 flows), tcpreplay's
# test (MPLS, an Ethernet pseudowire with a VLAN, IPv6), QinQ and 802.1ad,
# MPLS, and with --decap GRE (transparent Ethernet bridging, ERSPAN II,
# Cisco's keepalives and MetaData, which tapflow does not walk) and VXLAN.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/collectors.sh"
dir=$(case_dir)
need tshark
need_exporter
bad=0
runs=0
# the interpreter itself, not a version manager's shim: one start each
PY=$(python3 -c 'import sys; print(sys.executable)')
checks="$dir/checks"
: >"$checks"
jobs_bg=""

# dissect PCAP OUT (in the background): the capture as tshark sees it,
# each IP fragment as it is on the wire (tapflow does not reassemble).
dissect() {
	tshark -r "$1" -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
	    -T json --no-duplicate-keys -j "frame eth vlan ieee8021ad mpls \
	    ip ipv6 tcp udp icmp icmpv6 gre vxlan" >"$2" 2>"$2.err" &
	jobs_bg="$jobs_bg $!"
}

# run TAG VERSION PCAP CAPTURE_JSON "CHECK OPTIONS" TAPFLOW_ARGS...: the
# export of one run caught by a sink, dissected as cflow (in the
# background), its check queued for helpers/linktshark.py.
run() {
	rt=$1 rv=$2 rp=$3 rc=$4 ro=$5
	shift 5
	port=$(free_udp_port 29800)
	bg_start "sink-$rt" "$PY" "$HELPERS/udpsink.py" "$port" \
	    "$dir/$rt.pcap"
	wait_udp "$port" "sink-$rt"
	EXPORT_ARGS="$*" export_run "$rv" "$rp" "$rt" "$port"
	bg_stop "sink-$rt" TERM || bad=$((bad + 1))
	sent=$(jq '.export.collectors[0].packets_sent' "$dir/$rt.stats")
	got=$(awk '{ print $2 }' "$dir/sink-$rt.log")
	if [ "$sent" != "$got" ]; then
		echo "$rt: tapflow sent $sent packets, the sink got $got"
		bad=$((bad + 1))
	fi
	tshark_cflow "$dir/$rt.pcap" "$port" "$dir/$rt.cflow.json" &
	jobs_bg="$jobs_bg $!"
	echo "--tag '$rt (v$rv $*)' $ro --json '$dir/$rt.json' '$rc'" \
	    "'$dir/$rt.cflow.json'" >>"$checks"
	runs=$((runs + 1))
}

# The generator's capture: VLAN-tagged flows among plain ones (its IPv6
# flow labels are all 0), conversations for -b.
if [ -x "$TOOLS/tfgen" ]; then
	"$TOOLS/tfgen" --profile truth --seed 20240609 --out "$dir/gen.pcap" \
	    --truth "$dir/gen.truth" >"$dir/tfgen.log" 2>&1 ||
	    fail "tfgen: $(tail -n 3 "$dir/tfgen.log")"
	dissect "$dir/gen.pcap" "$dir/gen.cap.json"
	run gen10 10 "$dir/gen.pcap" "$dir/gen.cap.json" "--want vlan" \
	    --link-fields
	run gen9 9 "$dir/gen.pcap" "$dir/gen.cap.json" "--want vlan" \
	    --link-fields
	run genbi 10 "$dir/gen.pcap" "$dir/gen.cap.json" \
	    "--biflow --want vlan,reverse" --link-fields -b
else
	echo "tfgen is not built: no generated capture"
	bad=$((bad + 1))
fi

# tcpreplay's test capture: two MPLS labels over IPv4, an Ethernet
# pseudowire (control word) carrying a VLAN-tagged frame, IPv6
c=$PCAPS/tcpreplay__test.pcap
dissect "$c" "$dir/tcpreplay.cap.json"
w="--want vlan,mpls,mpls2,label"
run tcpreplay10 10 "$c" "$dir/tcpreplay.cap.json" "$w" --link-fields
run tcpreplay9 9 "$c" "$dir/tcpreplay.cap.json" "$w" --link-fields
run tcpreplaybi 10 "$c" "$dir/tcpreplay.cap.json" "--biflow $w,reverse" \
    --link-fields -b

# QinQ: an 802.1ad S-tag and C-tag; three 802.1Q tags (the outer two)
c=$PCAPS/arkime__dot1ad.pcap
dissect "$c" "$dir/dot1ad.cap.json"
run dot1ad9 9 "$c" "$dir/dot1ad.cap.json" "--want vlan,postvlan" \
    --link-fields
c=$PCAPS/zeek__vlan-qinqinq.pcap
dissect "$c" "$dir/qinq.cap.json"
run qinq10 10 "$c" "$dir/qinq.cap.json" "--want vlan,postvlan" --link-fields
c=$PCAPS/zeek__mixed-vlan-mpls.pcap
dissect "$c" "$dir/mixed.cap.json"
run mixed10 10 "$c" "$dir/mixed.cap.json" "--want vlan,mpls" --link-fields

# GRE with --decap: transparent Ethernet bridging with a key (fragmented
# carriers among them), ERSPAN type II, and a VLAN-tagged carrier of
# keepalives and Cisco MetaData (0x8909: not walked, the carrier counts)
c=$PCAPS/zeek__erspan.pcap
dissect "$c" "$dir/erspan.cap.json"
run erspan10 10 "$c" "$dir/erspan.cap.json" "--decap --want tunnel" --decap
run erspan9 9 "$c" "$dir/erspan.cap.json" "--decap --want tunnel" --decap
c=$PCAPS/suricata__bug-5437-02-erspan.pcap
dissect "$c" "$dir/erspan2.cap.json"
run erspan2_10 10 "$c" "$dir/erspan2.cap.json" "--decap --want tunnel" \
    --decap
c=$PCAPS/tcpdump__various_gre.pcap
dissect "$c" "$dir/gre.cap.json"
run gre10 10 "$c" "$dir/gre.cap.json" "--decap --want vlan" --decap

# VXLAN with --decap: the VNI in layer2SegmentId; with -b the biflow
# template that carries the tunnel too
c=$PCAPS/zeek__vxlan-encapsulated-http.pcap
dissect "$c" "$dir/vxlan.cap.json"
run vxlan10 10 "$c" "$dir/vxlan.cap.json" "--decap --want l2seg" --decap
run vxlan9 9 "$c" "$dir/vxlan.cap.json" "--decap --want l2seg" --decap
run vxlanbi 10 "$c" "$dir/vxlan.cap.json" \
    "--decap --biflow --want l2seg,reverse" --decap -b
c=$PCAPS/suricata__vxlan-decoder-03.pcap
dissect "$c" "$dir/vxlan2.cap.json"
run vxlan2_10 10 "$c" "$dir/vxlan2.cap.json" "--decap --want l2seg" --decap

for j in $jobs_bg; do
	wait "$j" || fail "tshark (pid $j) failed: $(cat "$dir"/*.err)"
done
"$PY" "$HELPERS/linktshark.py" --batch "$checks" || bad=$((bad + 1))
echo "$runs runs, $bad bad"
[ $bad -eq 0 ]
