package io.jserve.engine.gguf;

import java.util.List;
import java.util.Map;

/**
 * The parsed, validated header of a GGUF file: everything but the tensor data.
 *
 * @param version    GGUF version (2 or 3)
 * @param alignment  data alignment ({@code general.alignment}, default 32), a power of two
 * @param dataOffset file offset of the data section; every tensor offset is relative to it
 * @param entries    metadata in file order, by key
 * @param tensors    tensor infos in file order
 */
record GgufHeader(int version, long alignment, long dataOffset, Map<String, GgufMetadataEntry> entries,
                  List<GgufTensorInfo> tensors) {
}
