"""Image files for the tests, made with Pillow: photos with camera and GPS metadata, a PNG whose
header claims more pixels than any photo (a decompression bomb), and junk."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
MAKE = 0x010F


def photo(width: int = 800, height: int = 600, fmt: str = "JPEG", *, gps: bool = True) -> bytes:
    """A gradient photo with the camera's name and a GPS position in its EXIF."""
    picture = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    exif = Image.Exif()
    exif[MAKE] = "SentinelCam"
    if gps:
        position = exif.get_ifd(GPS_IFD)
        position[1] = "N"
        position[2] = (48.0, 51.0, 29.0)
        position[3] = "E"
        position[4] = (2.0, 21.0, 7.0)
    out = io.BytesIO()
    picture.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def png(width: int = 40, height: int = 30, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (200, 30, 30, 128) if mode == "RGBA" else 128).save(out, "PNG")
    return out.getvalue()


def bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG whose header says `width` x `height`: decoding it would take gigabytes."""
    data = bytearray(png(1, 1, "L"))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    crc = zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF
    data[29:33] = struct.pack(">I", crc)
    return bytes(data)
