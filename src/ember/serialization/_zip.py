"""The zip container of PyTorch checkpoints: a writer with 64-byte aligned, uncompressed
entries, and a checked reader.

PyTorch stores every entry uncompressed and pads each local header (with an extra field of id
``0x4246``, "FB") so that the entry's data starts at a multiple of 64 bytes; that is what lets
a loader map storages straight from the file. The writer here does the same and adds the
zip64 records when sizes or offsets pass 4 GiB.

The reader leaves the parsing of the central directory to :mod:`zipfile`, then checks what a
hostile archive could abuse before any data is read: duplicate names, compressed or encrypted
entries (decompression is where zip bombs live, and PyTorch never compresses), entries that
run past the end of the file, and entries that overlap (so that the bytes handed out never
exceed the file's size).
"""

from __future__ import annotations

import struct
import zipfile
import zlib

__all__ = ["ZipWriter", "ZipReader", "ArchiveError", "ALIGNMENT"]

ALIGNMENT = 64
_PAD_ID = 0x4246
_LOCAL = struct.Struct("<IHHHHHIIIHH")  # 30 bytes
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # 46 bytes
_EOCD = struct.Struct("<IHHHHIIH")  # 22 bytes
_EOCD64 = struct.Struct("<IQHHIIQQQQ")  # 56 bytes
_LOCATOR64 = struct.Struct("<IIQI")  # 20 bytes
_MAX32 = 0xFFFFFFFF
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the earliest date zip can hold


class ArchiveError(RuntimeError):
    """A checkpoint archive that is damaged, truncated or built to attack the reader."""


class ZipWriter:
    """Write stored (uncompressed) entries to a binary stream, each entry's data aligned to
    ``ALIGNMENT`` bytes from the start of the archive. Call :meth:`close` to write the
    central directory.

    Sizes and offsets from ``zip64_from`` on go into zip64 records (the 32-bit fields then
    hold 0xFFFFFFFF); a test lowers it to check those records without writing 4 GiB."""

    zip64_from = _MAX32

    def __init__(self, stream):
        self._f = stream
        self._pos = 0
        self._entries = []  # (name bytes, crc, size, header offset)

    def _write(self, data) -> None:
        self._f.write(data)
        self._pos += len(data)

    def write(self, name: str, data) -> None:
        """Add the entry ``name`` holding ``data`` (bytes or a byte memoryview)."""
        view = memoryview(data).cast("B")
        size = view.nbytes
        raw_name = name.encode("utf-8")
        crc = zlib.crc32(view)
        big = size >= self.zip64_from
        extra = struct.pack("<HHQQ", 1, 16, size, size) if big else b""
        head = self._pos + _LOCAL.size + len(raw_name) + len(extra)
        pad = -(head + 4) % ALIGNMENT  # a padding field is at least its 4-byte header
        extra += struct.pack("<HH", _PAD_ID, pad) + b"Z" * pad
        flags = 0x800 if not raw_name.isascii() else 0
        stored = _MAX32 if big else size
        self._entries.append((raw_name, crc, size, self._pos, flags))
        self._write(
            _LOCAL.pack(
                0x04034B50,
                45 if big else 20,
                flags,
                0,
                0,
                _DOS_DATE,
                crc,
                stored,
                stored,
                len(raw_name),
                len(extra),
            )
        )
        self._write(raw_name)
        self._write(extra)
        self._write(view)

    def close(self) -> None:
        """Write the central directory and the end records (zip64 ones included)."""
        start = self._pos
        for raw_name, crc, size, offset, flags in self._entries:
            fields = []
            big_size = size >= self.zip64_from
            big_offset = offset >= self.zip64_from
            if big_size:
                fields += [size, size]
            if big_offset:
                fields.append(offset)
            extra = (
                struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields) if fields else b""
            )
            stored = _MAX32 if big_size else size
            self._write(
                _CENTRAL.pack(
                    0x02014B50,
                    45,
                    45 if extra else 20,
                    flags,
                    0,
                    0,
                    _DOS_DATE,
                    crc,
                    stored,
                    stored,
                    len(raw_name),
                    len(extra),
                    0,
                    0,
                    0,
                    0,
                    _MAX32 if big_offset else offset,
                )
            )
            self._write(raw_name)
            self._write(extra)
        cd_size = self._pos - start
        count = len(self._entries)
        eocd64 = self._pos
        self._write(_EOCD64.pack(0x06064B50, 44, 45, 45, 0, 0, count, count, cd_size, start))
        self._write(_LOCATOR64.pack(0x07064B50, 0, eocd64, 1))
        self._write(
            _EOCD.pack(
                0x06054B50,
                0,
                0,
                min(count, 0xFFFF),
                min(count, 0xFFFF),
                _MAX32 if cd_size >= self.zip64_from else cd_size,
                _MAX32 if start >= self.zip64_from else start,
                0,
            )
        )


class ZipReader:
    """The checked entries of a zip archive read from a seekable binary stream.

    ``entries`` maps each name to ``(data offset, size, crc)``; nothing of an entry's data is
    read until :meth:`read` or a memory map asks for it.
    """

    def __init__(self, stream, label: str):
        self._f = stream
        self.label = label
        stream.seek(0, 2)
        self.length = stream.tell()
        stream.seek(0)
        try:
            archive = zipfile.ZipFile(stream)
        except zipfile.BadZipFile as exc:
            raise ArchiveError(
                f"{label} is not a complete zip archive ({exc}); the file may be truncated"
            ) from None
        except (OSError, ValueError, struct.error, EOFError) as exc:
            raise ArchiveError(f"{label}: cannot read the zip directory ({exc})") from None
        self.names = []
        self.entries = {}
        spans = []
        for info in archive.infolist():
            name = info.filename
            if name in self.entries:
                raise ArchiveError(f"{label}: the archive holds entry '{name}' twice")
            if info.flag_bits & 1:
                raise ArchiveError(f"{label}: entry '{name}' is encrypted")
            if info.compress_type != zipfile.ZIP_STORED:
                raise ArchiveError(
                    f"{label}: entry '{name}' is compressed (method {info.compress_type}); "
                    "checkpoints store their entries uncompressed, and ember does not "
                    "decompress them (re-save the file with torch.save or ember.save)"
                )
            start = self._data_start(info)
            end = start + info.file_size
            if info.compress_size != info.file_size or end > self.length:
                raise ArchiveError(
                    f"{label}: entry '{name}' claims {info.file_size} bytes at offset {start}, "
                    f"past the end of the {self.length}-byte file; the file is truncated or "
                    "damaged"
                )
            self.names.append(name)
            self.entries[name] = (start, info.file_size, info.CRC)
            spans.append((start, end, info.header_offset, name))
        spans.sort()
        for (_, e0, _, n0), (_, _, h1, n1) in zip(spans, spans[1:]):
            if e0 > h1:
                raise ArchiveError(f"{label}: entries '{n0}' and '{n1}' overlap")

    def _data_start(self, info) -> int:
        self._f.seek(info.header_offset)
        head = self._f.read(_LOCAL.size)
        if len(head) != _LOCAL.size or head[:4] != b"PK\x03\x04":
            raise ArchiveError(
                f"{self.label}: entry '{info.filename}' has no local header at offset "
                f"{info.header_offset}; the file is damaged"
            )
        fields = _LOCAL.unpack(head)
        return info.header_offset + _LOCAL.size + fields[9] + fields[10]

    def read(self, name: str, check_crc: bool = True) -> bytearray:
        """The bytes of entry ``name`` (a fresh, writable buffer)."""
        start, size, crc = self.entries[name]
        buf = bytearray(size)
        self._f.seek(start)
        got = self._f.readinto(buf) if size else 0
        if got != size:
            raise ArchiveError(f"{self.label}: entry '{name}' is truncated")
        if check_crc and zlib.crc32(buf) != crc:
            raise ArchiveError(
                f"{self.label}: entry '{name}' fails its CRC-32 check; the file is corrupted"
            )
        return buf
