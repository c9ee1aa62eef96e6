package dev.qvg.spark;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Parquet columns of a sweep's rows: the field names and nesting of {@code qvg eval}'s JSON
 * ({@code bit_budget} a struct, {@code shape} and {@code kmeans_iters} arrays), then the fields
 * that place a row in the study ({@code file}, {@code prompt}, {@code layer}), then, for head rows,
 * {@code batch}, {@code head}, {@code slice}, and the raw sums that let any grouping of rows be
 * combined exactly as the error figures are defined ({@code sum_sq_err}, {@code sum_sq_ref}).
 * A JSON field missing from a row is null; non-finite doubles (written {@code "Infinity"} in JSON)
 * are real doubles here.
 */
final class RowSchema {

    private static final StructType BUDGET = new StructType(new StructField[] {
        field("values", DataTypes.LongType), field("code_bits", DataTypes.LongType),
        field("scale_bits", DataTypes.LongType), field("zero_bits", DataTypes.LongType),
        field("id_bits", DataTypes.LongType), field("centroid_bits", DataTypes.LongType),
        field("full_precision_bits", DataTypes.LongType), field("total_bits", DataTypes.LongType),
        field("total_bytes", DataTypes.LongType)});

    private static final StructField[] EVAL = {
        field("schema_version", DataTypes.IntegerType),
        field("tensor", DataTypes.StringType), field("role", DataTypes.StringType),
        field("shape", DataTypes.createArrayType(DataTypes.IntegerType, false)),
        field("method", DataTypes.StringType), field("label", DataTypes.StringType),
        field("bits", DataTypes.IntegerType), field("block", DataTypes.IntegerType),
        field("asymmetric", DataTypes.BooleanType), field("scale", DataTypes.StringType),
        field("clusters", DataTypes.IntegerType), field("stages", DataTypes.IntegerType),
        field("iters", DataTypes.IntegerType), field("tol", DataTypes.DoubleType),
        field("seed", DataTypes.LongType), field("backend", DataTypes.StringType),
        field("params", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, false)),
        field("rel_l2", DataTypes.DoubleType), field("mse", DataTypes.DoubleType),
        field("snr_db", DataTypes.DoubleType), field("cosine_mean", DataTypes.DoubleType),
        field("cosine_min", DataTypes.DoubleType), field("max_abs_err", DataTypes.DoubleType),
        field("bits_per_value", DataTypes.DoubleType), field("compression_ratio", DataTypes.DoubleType),
        field("bit_budget", BUDGET),
        field("kmeans_iters", DataTypes.createArrayType(DataTypes.IntegerType, false)),
        field("seconds", DataTypes.DoubleType), field("quantize_seconds", DataTypes.DoubleType),
        field("dequantize_seconds", DataTypes.DoubleType),
        field("file", DataTypes.StringType), field("prompt", DataTypes.StringType),
        field("layer", DataTypes.IntegerType)};

    /** Rows of {@code tensors.parquet}: one per (file, tensor, configuration). */
    static final StructType TENSOR = new StructType(concat(EVAL, new StructField[] {
        field("heads", DataTypes.IntegerType),
        field("sum_sq_err", DataTypes.DoubleType), field("sum_sq_ref", DataTypes.DoubleType)}));

    /** Rows of {@code heads.parquet}: one per (file, tensor, configuration, head). */
    static final StructType HEAD = new StructType(concat(EVAL, new StructField[] {
        field("batch", DataTypes.IntegerType), field("head", DataTypes.IntegerType),
        field("slice", DataTypes.IntegerType),
        field("sum_sq_err", DataTypes.DoubleType), field("sum_sq_ref", DataTypes.DoubleType)}));

    private RowSchema() {
    }

    private static StructField field(String name, DataType type) {
        return DataTypes.createStructField(name, type, true);
    }

    private static StructField[] concat(StructField[] a, StructField[] b) {
        StructField[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The row of {@code node} in {@code schema}. */
    static Row row(JsonNode node, StructType schema) {
        StructField[] fields = schema.fields();
        Object[] values = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            values[i] = value(node.get(fields[i].name()), fields[i].dataType(), fields[i].name());
        }
        return RowFactory.create(values);
    }

    private static Object value(JsonNode n, DataType type, String name) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (type instanceof StructType s) {
            return row(n, s);
        }
        if (type instanceof org.apache.spark.sql.types.MapType) {
            // a method's knobs: strings by key (eval writes the object only when a knob is set)
            java.util.Map<String, String> m = new java.util.TreeMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
            return scala.jdk.javaapi.CollectionConverters.asScala(m);
        }
        if (type instanceof ArrayType a) {
            if (a.elementType().equals(DataTypes.IntegerType)) {
                // Spark's row encoder takes a primitive array for an array of non-null ints
                int[] out = new int[n.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = n.get(i).asInt();
                }
                return out;
            }
            List<Object> out = new ArrayList<>();
            for (JsonNode e : n) {
                out.add(value(e, a.elementType(), name));
            }
            return scala.jdk.javaapi.CollectionConverters.asScala(out).toSeq();
        }
        if (type.equals(DataTypes.StringType)) {
            return n.asText();
        }
        if (type.equals(DataTypes.IntegerType)) {
            return n.asInt();
        }
        if (type.equals(DataTypes.LongType)) {
            return n.asLong();
        }
        if (type.equals(DataTypes.BooleanType)) {
            return n.asBoolean();
        }
        if (type.equals(DataTypes.DoubleType)) {
            return n.isTextual() ? Double.parseDouble(n.asText()) : n.asDouble();
        }
        throw new IllegalStateException("column " + name + ": no conversion to " + type);
    }
}
