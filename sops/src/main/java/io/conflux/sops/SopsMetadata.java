package io.conflux.sops;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code sops} metadata block of an encrypted document, as SOPS's stores read it: the age recipients holding
 * the data key (top-level {@code age} or a single entry of {@code key_groups}), {@code lastmodified} (the MAC's
 * additional data), the encrypted {@code mac}, and the one rule choosing which values are encrypted
 * ({@code unencrypted_suffix}, {@code encrypted_suffix}, {@code unencrypted_regex} or {@code encrypted_regex};
 * none means {@code unencrypted_suffix: _unencrypted}). Regular expressions are RE2 (RE2/J), as SOPS's Go
 * {@code regexp}: the same syntax, and matching in time linear in the key, so that a tenant's file cannot make the
 * renderer backtrack for ever (Java's own regex would, e.g. {@code ^(a+)+$} on a long key).
 *
 * @param age                  the age recipients and their armored data-key files
 * @param otherKeyTypes        names of non-age key types present (pgp, kms, ...), for messages
 * @param lastModified         {@code lastmodified} as written
 * @param mac                  the encrypted MAC ({@code ENC[...]}), may be empty
 * @param unencryptedSuffix    rule, or null
 * @param encryptedSuffix      rule, or null
 * @param unencryptedRegex     rule, or null
 * @param encryptedRegex       rule, or null
 * @param encryptedCommentRegex rule, or null (comments are not kept, so with this rule nothing is encrypted, as
 *                             for Flux's objects, which reach SOPS as JSON)
 * @param macOnlyEncrypted     whether the MAC covers only the encrypted values
 */
public record SopsMetadata(List<AgeStanza> age, List<String> otherKeyTypes, String lastModified, String mac,
                           String unencryptedSuffix, String encryptedSuffix, Pattern unencryptedRegex,
                           Pattern encryptedRegex, Pattern encryptedCommentRegex, boolean macOnlyEncrypted) {

    /** SOPS's default rule when a file names none. */
    public static final String DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted";
    private static final List<String> OTHER_KEY_TYPES = List.of("pgp", "kms", "gcp_kms", "azure_kv", "hc_vault");

    /**
     * One age recipient of the data key.
     *
     * @param recipient the {@code age1...} public key
     * @param enc       the armored age file holding the 32-byte data key
     */
    public record AgeStanza(String recipient, String enc) {
    }

    /**
     * Reads the {@code sops} block.
     *
     * @param sops the block as parsed from YAML/JSON (nested maps and lists)
     * @throws SopsException when it is malformed, holds more than one encryption rule, or splits the data key
     *                       between several key groups (Shamir), which is not supported
     */
    public static SopsMetadata from(Map<?, ?> sops) throws SopsException {
        List<AgeStanza> age = new ArrayList<>();
        List<String> others = new ArrayList<>();
        Object groups = sops.get("key_groups");
        boolean hasTopLevelKeys = OTHER_KEY_TYPES.stream().anyMatch(t -> nonEmptyList(sops.get(t)))
                || nonEmptyList(sops.get("age"));
        if (!hasTopLevelKeys && groups instanceof List<?> list && !list.isEmpty()) {
            if (list.size() > 1) {
                throw new SopsException("the data key is split between " + list.size()
                        + " key groups (Shamir secret sharing), which is not supported");
            }
            if (!(list.get(0) instanceof Map<?, ?> group)) {
                throw new SopsException("sops.key_groups[0] is not a map");
            }
            collect(group, age, others);
        } else {
            collect(sops, age, others);
        }
        String rule = null;
        int rules = 0;
        for (String r : List.of("unencrypted_suffix", "encrypted_suffix", "unencrypted_regex", "encrypted_regex")) {
            if (!string(sops, r).isEmpty()) {
                rules++;
                rule = r;
            }
        }
        if (rules > 1) {
            throw new SopsException("cannot use more than one of encrypted_suffix, unencrypted_suffix, "
                    + "encrypted_regex or unencrypted_regex in the same file");
        }
        String unencryptedSuffix = rules == 0 ? DEFAULT_UNENCRYPTED_SUFFIX
                : "unencrypted_suffix".equals(rule) ? string(sops, rule) : null;
        String lastModified = string(sops, "lastmodified");
        parseTime(lastModified);
        Object macOnly = sops.get("mac_only_encrypted");
        return new SopsMetadata(List.copyOf(age), List.copyOf(others), lastModified, string(sops, "mac"),
                unencryptedSuffix, "encrypted_suffix".equals(rule) ? string(sops, rule) : null,
                regex(sops, "unencrypted_regex"), regex(sops, "encrypted_regex"),
                regex(sops, "encrypted_comment_regex"),
                Boolean.TRUE.equals(macOnly) || "true".equals(macOnly));
    }

    /**
     * SOPS's rule for one value: whether the value at {@code path} (the map keys leading to it; list positions
     * add nothing) is encrypted.
     */
    public boolean encrypted(List<String> path) {
        boolean encrypted = true;
        if (unencryptedSuffix != null && path.stream().anyMatch(p -> p.endsWith(unencryptedSuffix))) {
            encrypted = false;
        }
        if (encryptedSuffix != null) {
            encrypted = path.stream().anyMatch(p -> p.endsWith(encryptedSuffix));
        }
        if (unencryptedRegex != null && path.stream().anyMatch(p -> unencryptedRegex.matcher(p).find())) {
            encrypted = false;
        }
        if (encryptedRegex != null) {
            encrypted = path.stream().anyMatch(p -> encryptedRegex.matcher(p).find());
        }
        if (encryptedCommentRegex != null) {
            encrypted = false;
        }
        return encrypted;
    }

    /**
     * @return {@code lastmodified} as SOPS uses it for the MAC's additional data: parsed and formatted again as
     * Go's RFC 3339 ({@code 2006-01-02T15:04:05Z07:00}, no fractional seconds)
     */
    public String macAdditionalData() throws SopsException {
        return parseTime(lastModified).format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX"));
    }

    private static OffsetDateTime parseTime(String text) throws SopsException {
        try {
            return OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
            throw new SopsException("sops.lastmodified '" + text + "' is not an RFC 3339 time");
        }
    }

    private static void collect(Map<?, ?> keys, List<AgeStanza> age, List<String> others) throws SopsException {
        if (keys.get("age") instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> entry)) {
                    throw new SopsException("sops.age holds an entry that is not a map");
                }
                age.add(new AgeStanza(string(entry, "recipient"), string(entry, "enc")));
            }
        }
        for (String type : OTHER_KEY_TYPES) {
            if (nonEmptyList(keys.get(type))) {
                others.add(type);
            }
        }
    }

    private static boolean nonEmptyList(Object o) {
        return o instanceof List<?> l && !l.isEmpty();
    }

    private static String string(Map<?, ?> map, String key) {
        Object v = map.get(key);
        return v == null ? "" : v.toString();
    }

    private static Pattern regex(Map<?, ?> map, String key) throws SopsException {
        String v = string(map, key);
        if (v.isEmpty()) {
            return null;
        }
        try {
            return Pattern.compile(v);
        } catch (PatternSyntaxException e) {
            throw new SopsException("sops." + key + " '" + v + "' is not a valid regular expression");
        }
    }
}
