# Writes the hand-made ImageIO test files (see README.md in this folder).
import io, struct
from PIL import Image

def pad16(b):
    return b + b"\0" * ((16 - len(b) % 16) % 16)

def v1_chunk(ms, w, h, bpp, payload):
    return struct.pack("<4I", ms, w, h, bpp) + pad16(payload)

def v2_chunk(ms, w, h, code, payload):
    return struct.pack("<5I", ms, w, h, code, len(payload)) + b"\0" * 12 + pad16(payload)

def jpeg(w, h):
    img = Image.new("RGB", (w, h))
    img.putdata([(x * 255 // (w - 1), y * 255 // (h - 1), 128) for y in range(h) for x in range(w)])
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=90)
    return out.getvalue()

def png(w, h):
    img = Image.new("L", (w, h))
    img.putdata([x * 16 + y for y in range(h) for x in range(w)])
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()

# RGB565 2x2: red, green, blue, white as little-endian u16.
rgb565 = [0xF800, 0x07E0, 0x001F, 0xFFFF]
rgb565_le = b"".join(struct.pack("<H", p) for p in rgb565)
rgb565_be = b"".join(struct.pack(">H", p) for p in rgb565)
gray_3x2 = bytes([0, 50, 100, 150, 200, 250])
# BINARY 33x1: pixels 0, 2 and 32 set; two 32-bit words per row.
binary_33x1 = struct.pack("<2I", 0b101, 0b1)
bayer_2x2 = bytes([10, 20, 30, 40])

j8 = jpeg(8, 8)
j16 = jpeg(16, 8)
open("jpeg_8x8.jpg", "wb").write(j8)

# 1. What the OpenMV IDE records: V1.0, JPEG frames, bpp = JPEG byte size.
open("v1_0_ide_jpeg.bin", "wb").write(
    b"OMV IMG STR V1.0" + v1_chunk(0, 8, 8, len(j8), j8) + v1_chunk(40, 16, 8, len(j16), j16))

# 2. V1.0 and V1.1 with every V1 raw format; V1.0 stores RGB565 byte-swapped.
def v1_raw(version, rgb):
    return (b"OMV IMG STR " + version +
            v1_chunk(33, 2, 2, 2, rgb) +
            v1_chunk(34, 3, 2, 1, gray_3x2) +
            v1_chunk(35, 33, 1, 0, binary_33x1) +
            v1_chunk(36, 2, 2, 3, bayer_2x2))
open("v1_0_raw.bin", "wb").write(v1_raw(b"V1.0", rgb565_be))
open("v1_1_raw.bin", "wb").write(v1_raw(b"V1.1", rgb565_le))

# 3. V2.0 mixing formats and sizes.
yuv422_2x1 = bytes([16, 128, 235, 128])          # Y0 U Y1 V
argb8_1x1 = struct.pack("<I", 0x80FF4020)        # A=0x80 R=0xFF G=0x40 B=0x20
p = png(4, 2)
open("v2_0_mixed.bin", "wb").write(
    b"OMV IMG STR V2.0" +
    v2_chunk(0, 2, 2, 0x0C030002, rgb565_le) +
    v2_chunk(10, 3, 2, 0x08020001, gray_3x2) +
    v2_chunk(20, 33, 1, 0x08010000, binary_33x1) +
    v2_chunk(30, 2, 2, 0x05040301, bayer_2x2) +
    v2_chunk(40, 2, 1, 0x14050002, yuv422_2x1) +
    v2_chunk(50, 1, 1, 0x0C080004, argb8_1x1) +
    v2_chunk(60, 8, 8, 0x06060000, j8) +
    v2_chunk(70, 4, 2, 0x06070000, p))
