package io.conflux.cli;

import io.conflux.model.meta.GoDuration;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads an option value written as a Go duration ({@code 5m0s}, {@code 90s}, {@code 1h}), as the flux CLI's flags take them. */
final class GoDurationConverter implements ITypeConverter<Duration> {
    /**
     * @throws TypeConversionException when the text is not a Go duration (picocli reports it as a usage error)
     */
    @Override
    public Duration convert(String value) {
        try {
            return GoDuration.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' is not a Go duration (e.g. 5m0s, 30s)");
        }
    }
}
