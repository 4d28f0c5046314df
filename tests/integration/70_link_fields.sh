#!/bin/sh
# Issue 9: --link-fields and --decap in IPFIX and v9, decoded by nfdump
# (VLANs of QinQ / 802.1ad, MACs, MPLS) and libfixbuf's ipfixDump (VXLAN's
# layer2SegmentId), each value checked against tshark's own dissection of
# the capture (helpers/linkcmp.py).
. "$TOP/tests/integration/lib.sh"
dir=$(case_dir)
. "$TOP/tests/integration/collectors.sh"
need_exporter
need nfcapd nfdump tshark ipfixDump

# nfcase TAG VERSION PCAP MODE TSHARK_FIELDS...
nfcase() {
	_tag=$1 _v=$2 _pcap=$3 _mode=$4
	shift 4
	port=$(free_udp_port 29700)
	mkdir -p "$dir/$_tag.nf"
	bg_start "nfcapd-$_tag" nfcapd -p "$port" -b 127.0.0.1 \
	    -w "$dir/$_tag.nf"
	wait_udp "$port" "nfcapd-$_tag"
	EXPORT_ARGS="--link-fields" export_run "$_v" "$_pcap" "$_tag" "$port"
	bg_stop "nfcapd-$_tag" || fail "nfcapd did not stop"
	nfdump -R "$dir/$_tag.nf" -o json >"$dir/$_tag.nfdump.json" \
	    2>"$dir/$_tag.nfdump.err" || fail "nfdump: $(cat \
		"$dir/$_tag.nfdump.err")"
	_f=""
	for _e in "$@"; do
		_f="$_f -e $_e"
	done
	# shellcheck disable=SC2086 # word splitting intended
	tshark -r "$_pcap" -T fields $_f >"$dir/$_tag.tshark" 2>/dev/null
	python3 "$HELPERS/linkcmp.py" "$_mode" "$dir/$_tag.nfdump.json" \
	    "$dir/$_tag.tshark" "$dir/$_tag.json" ||
	    fail "$_tag: nfdump and tshark disagree (see above)"
}

# 802.1ad S-tag + C-tag, and three stacked 802.1Q tags (outer two kept)
nfcase dot1ad 10 "$PCAPS/arkime__dot1ad.pcap" vlan ip.src ip.dst \
    ieee8021ad.id vlan.id eth.src eth.dst
nfcase qinq 9 "$PCAPS/zeek__vlan-qinqinq.pcap" vlan ip.src ip.dst \
    ieee8021ad.id vlan.id eth.src eth.dst
# MPLS: label-TC-S of the top entry
nfcase mpls 10 "$PCAPS/zeek__mixed-vlan-mpls.pcap" mpls ip.src ip.dst \
    mpls.label mpls.exp mpls.bottom
nfcase mpls9 9 "$PCAPS/zeek__mixed-vlan-mpls.pcap" mpls ip.src ip.dst \
    mpls.label mpls.exp mpls.bottom

# JSON carries the same values: the inner VLAN and the MPLS section
jq -e -s 'map(select(.postVlanId == 30 and .vlanId == 1525)) | length == 1' \
    "$dir/dot1ad.json" >/dev/null || fail "dot1ad: JSON postVlanId"
jq -e -s 'map(select(.mplsTopLabelStackSection == (29 * 16 + 6 * 2 + 1)))
    | length == 1' "$dir/mpls.json" >/dev/null ||
    fail "mpls: JSON mplsTopLabelStackSection"

# VXLAN with --decap: the inner flow, the VNI as layer2SegmentId
for cap in zeek__vxlan-encapsulated-http suricata__vxlan-decoder-03; do
	f="$dir/$cap.ipfix"
	timeout 60 "$TAPFLOW" -q -r "$PCAPS/$cap.pcap" --decap -P file \
	    --ipfix-file "$f" -j "$dir/$cap.json" >"$dir/$cap.log" 2>&1 ||
	    fail "tapflow --decap $cap: $(tail -n 3 "$dir/$cap.log")"
	ipfixDump --in "$f" >"$dir/$cap.dump" 2>&1 || fail "ipfixDump $cap"
	tshark -r "$PCAPS/$cap.pcap" -T fields -e ip.src -e ip.dst \
	    -e vxlan.vni >"$dir/$cap.tshark" 2>/dev/null
	python3 "$HELPERS/linkcmp.py" vxlan "$dir/$cap.dump" \
	    "$dir/$cap.tshark" "$dir/$cap.json" ||
	    fail "$cap: layer2SegmentId disagrees with tshark's VNI"
	jq -e -s 'all(.tunnelType == "vxlan")' "$dir/$cap.json" >/dev/null ||
	    fail "$cap: JSON tunnelType"
done
echo "ok"
