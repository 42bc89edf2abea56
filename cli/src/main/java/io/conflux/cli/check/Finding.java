package io.conflux.cli.check;

/**
 * One line of {@code conflux check}.
 *
 * @param area    what was checked: {@code cluster}, {@code crds}, {@code services}, {@code flux-controllers},
 *                {@code watches}, {@code objects}, {@code unsupported-fields}
 * @param status  whether it holds
 * @param message what was found, naming the object, CRD, service or watch
 */
public record Finding(String area, Status status, String message) {

    /** How a finding counts: {@code FAIL} makes {@code conflux check} exit 1, {@code WARN} is shown but does not. */
    public enum Status {
        /** holds */
        OK,
        /** worth knowing, not wrong (e.g. a Flux controller skipped, as intended) */
        WARN,
        /** wrong */
        FAIL
    }

    /** @return a holding finding */
    public static Finding ok(String area, String message) {
        return new Finding(area, Status.OK, message);
    }

    /** @return a warning */
    public static Finding warn(String area, String message) {
        return new Finding(area, Status.WARN, message);
    }

    /** @return a failure */
    public static Finding fail(String area, String message) {
        return new Finding(area, Status.FAIL, message);
    }

    /** @return {@code ✔|!|✗ <area>: <message>} as {@code flux check} marks its lines */
    public String line() {
        String mark = switch (status) {
            case OK -> "✔";
            case WARN -> "!";
            case FAIL -> "✗";
        };
        return mark + " " + area + ": " + message.replace('\n', ' ');
    }
}
