using System.Buffers.Binary;

namespace Lethe.Image.Kernel;

/// <summary>Where the compressed kernel sits inside an x86 bzImage (Linux boot protocol 2.08+).</summary>
public static class BzImage
{
    public static ReadOnlySpan<byte> XzMagic => [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00];

    private const int SetupSectorsOffset = 0x1F1;
    private const int HeaderMagicOffset = 0x202;
    private const int PayloadOffsetField = 0x248;
    private const int PayloadLengthField = 0x24C;
    private const uint HeaderMagic = 0x53726448; // "HdrS"

    /// <summary>
    /// The xz stream holding the kernel: where the setup header says the payload is, or else the first xz
    /// magic after the real-mode setup code. Throws <see cref="InvalidDataException"/> when there is none.
    /// </summary>
    public static (int Offset, int Length) FindXzPayload(ReadOnlySpan<byte> image)
    {
        if (image.Length < PayloadLengthField + 4 || BinaryPrimitives.ReadUInt32LittleEndian(image[HeaderMagicOffset..]) != HeaderMagic)
            throw new InvalidDataException("not a bzImage (no HdrS setup header)");
        var setupSectors = image[SetupSectorsOffset] == 0 ? 4 : image[SetupSectorsOffset];
        var protectedModeStart = (setupSectors + 1) * 512;
        if (protectedModeStart >= image.Length)
            throw new InvalidDataException("bzImage is truncated after its setup code");

        var declaredOffset = protectedModeStart + (long)BinaryPrimitives.ReadUInt32LittleEndian(image[PayloadOffsetField..]);
        var declaredLength = (long)BinaryPrimitives.ReadUInt32LittleEndian(image[PayloadLengthField..]);
        if (declaredLength > 0 && declaredOffset + declaredLength <= image.Length
            && image[(int)declaredOffset..].StartsWith(XzMagic))
            return ((int)declaredOffset, (int)declaredLength);

        var found = image[protectedModeStart..].IndexOf(XzMagic);
        if (found < 0)
            throw new InvalidDataException("the bzImage holds no xz-compressed kernel (other compressions are not supported)");
        var offset = protectedModeStart + found;
        return (offset, image.Length - offset);
    }
}
