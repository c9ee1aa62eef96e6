package dev.qvg.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and fully validated JSON header of a safetensors file. Validation follows the
 * reference (Rust) implementation so that whatever passes here also loads in Python: every
 * entry has exactly {@code dtype}, {@code shape}, {@code data_offsets}; byte lengths equal
 * dtype size x element count; tensors tile the data section with no overlap, gap or trailing
 * byte; {@code __metadata__} maps strings to strings.
 */
public record SafeTensorsHeader(Map<String, TensorInfo> tensors, Map<String, String> metadata) {

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            // Only whitespace may follow the object (the reference implementation pads with spaces).
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    public static final String METADATA_KEY = "__metadata__";

    public SafeTensorsHeader {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Parses and validates {@code json} (the header bytes) for a file whose data section holds
     * {@code dataLength} bytes.
     */
    static SafeTensorsHeader parse(Path file, byte[] json, long dataLength, ReadLimits limits)
            throws CorruptFileException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CorruptFileException(file, "header", "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new CorruptFileException(file, "header", "not readable as JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CorruptFileException(file, "header", "must be a JSON object, got "
                    + (root == null ? "nothing" : root.getNodeType()));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(METADATA_KEY)) {
                metadata.putAll(parseMetadata(file, e.getValue()));
            } else {
                tensors.put(e.getKey(), parseTensor(file, e.getKey(), e.getValue(), dataLength, limits));
            }
        }
        checkTiling(file, tensors, dataLength);
        return new SafeTensorsHeader(tensors, metadata);
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) throws CorruptFileException {
        if (!node.isObject()) {
            throw new CorruptFileException(file, METADATA_KEY, "must be an object of strings, got " + node.getNodeType());
        }
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new CorruptFileException(file, METADATA_KEY, "value of '" + e.getKey()
                        + "' must be a string, got " + e.getValue().getNodeType());
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    private static TensorInfo parseTensor(Path file, String name, JsonNode node, long dataLength, ReadLimits limits)
            throws CorruptFileException {
        String part = "tensor '" + name + "'";
        if (name.isEmpty()) {
            throw new CorruptFileException(file, part, "empty tensor name");
        }
        if (!node.isObject()) {
            throw new CorruptFileException(file, part, "entry must be an object, got " + node.getNodeType());
        }
        Iterator<String> keys = node.fieldNames();
        while (keys.hasNext()) {
            String k = keys.next();
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                throw new CorruptFileException(file, part, "unknown field '" + k
                        + "' (expected dtype, shape, data_offsets)");
            }
        }
        JsonNode dt = node.get("dtype");
        if (dt == null || !dt.isTextual()) {
            throw new CorruptFileException(file, part, "dtype missing or not a string");
        }
        DType dtype = DType.fromSafetensorsName(dt.textValue());
        if (dtype == null) {
            throw new CorruptFileException(file, part, "unknown or unsupported dtype '" + dt.textValue()
                    + "' (supported: " + Arrays.toString(DType.values()) + ")");
        }
        long[] shape = longArray(file, part, "shape", node.get("shape"), -1);
        long[] offsets = longArray(file, part, "data_offsets", node.get("data_offsets"), 2);
        long numel = 1;
        long bytes;
        try {
            for (long d : shape) {
                numel = Math.multiplyExact(numel, d);
            }
            bytes = Math.multiplyExact(numel, dtype.size());
        } catch (ArithmeticException e) {
            throw new CorruptFileException(file, part, "shape " + Arrays.toString(shape)
                    + " overflows: its element count does not fit 64 bits");
        }
        long begin = offsets[0], end = offsets[1];
        if (begin > end) {
            throw new CorruptFileException(file, part, "data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        if (end > dataLength) {
            throw new CorruptFileException(file, part, "data_offsets [" + begin + ", " + end
                    + "] reach beyond the data section of " + dataLength + " bytes (file truncated or offsets out of range)");
        }
        if (end - begin != bytes) {
            throw new CorruptFileException(file, part, "data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
                    + " bytes but " + dtype + " x " + Arrays.toString(shape) + " needs " + bytes);
        }
        if (bytes > limits.maxTensorBytes()) {
            throw new CorruptFileException(file, part, bytes + " bytes exceed the tensor size cap of "
                    + limits.maxTensorBytes() + " bytes (ReadLimits.maxTensorBytes)");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long[] longArray(Path file, String part, String field, JsonNode node, int requiredLength)
            throws CorruptFileException {
        if (node == null || !node.isArray()) {
            throw new CorruptFileException(file, part, field + " missing or not an array");
        }
        if (requiredLength >= 0 && node.size() != requiredLength) {
            throw new CorruptFileException(file, part, field + " must have " + requiredLength + " entries, got " + node.size());
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new CorruptFileException(file, part, field + "[" + i + "] must be a non-negative 64-bit integer, got " + v);
            }
            out[i] = v.longValue();
        }
        return out;
    }

    private static void checkTiling(Path file, Map<String, TensorInfo> tensors, long dataLength)
            throws CorruptFileException {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long pos = 0;
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < pos) {
                throw new CorruptFileException(file, "tensor '" + t.name() + "'", "data_offsets [" + t.begin() + ", "
                        + t.end() + "] overlap tensor '" + prev.name() + "' [" + prev.begin() + ", " + prev.end() + "]");
            }
            if (t.begin() > pos) {
                throw new CorruptFileException(file, "tensor '" + t.name() + "'", "data_offsets begin at " + t.begin()
                        + " leaving a gap of " + (t.begin() - pos) + " unclaimed bytes after offset " + pos);
            }
            pos = t.end();
            prev = t;
        }
        if (pos != dataLength) {
            throw new CorruptFileException(file, "data section", "holds " + dataLength + " bytes but the tensors cover "
                    + pos + " (trailing bytes after the last tensor)");
        }
    }
}
