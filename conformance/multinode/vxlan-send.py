#!/usr/bin/env python3
# Sends one forged VXLAN packet (RFC 7348: flags with the I bit, 24-bit VNI) over a plain UDP socket; its payload
# is an inner Ethernet frame carrying an IPv4 or IPv6 UDP datagram, checksums right.
# Usage: vxlan-send.py OUTER_DST PORT VNI INNER_SRC INNER_DST DPORT PAYLOAD [DST_MAC]
import socket
import struct
import sys


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack(f'!{len(data) // 2}H', data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def inner(src: str, dst: str, dport: int, payload: bytes) -> tuple[int, bytes]:
    sport = 40000
    ulen = 8 + len(payload)
    if ':' not in dst:
        s, d = socket.inet_pton(socket.AF_INET, src), socket.inet_pton(socket.AF_INET, dst)
        hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + ulen, 1, 0x4000, 64, 17, 0, s, d)
        hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]
        pseudo = s + d + struct.pack('!BBH', 0, 17, ulen)
        ethertype = 0x0800
    else:
        s, d = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
        hdr = struct.pack('!IHBB16s16s', 6 << 28, ulen, 17, 64, s, d)
        pseudo = s + d + struct.pack('!IxxxB', ulen, 17)
        ethertype = 0x86dd
    udp = struct.pack('!HHHH', sport, dport, ulen, 0) + payload
    c = csum(pseudo + udp) or 0xffff
    return ethertype, hdr + udp[:6] + struct.pack('!H', c) + payload


def main() -> None:
    outer_dst, port, vni, src, dst, dport, payload = sys.argv[1:8]
    dst_mac = bytes.fromhex((sys.argv[8] if len(sys.argv) > 8 else 'ff:ff:ff:ff:ff:ff').replace(':', ''))
    ethertype, packet = inner(src, dst, int(dport), payload.encode())
    frame = dst_mac + bytes.fromhex('020000aa0001') + struct.pack('!H', ethertype) + packet
    vxlan = struct.pack('!II', 0x08000000, int(vni) << 8)
    family = socket.AF_INET6 if ':' in outer_dst else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.sendto(vxlan + frame, (outer_dst, int(port)))


main()
