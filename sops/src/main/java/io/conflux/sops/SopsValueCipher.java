package io.conflux.sops;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * SOPS's value cipher: {@code ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<t>]}, AES-256-GCM under the
 * document's 32-byte data key with the value's key path ({@code a:b:c:}) as additional data; the IV is 32 bytes
 * and the tag 16. {@code type} restores the value: {@code str}, {@code int}/{@code int64}, {@code float},
 * {@code bool} (Go's {@code ParseBool}), {@code bytes}, {@code comment}. An empty string stands for an empty
 * value and decrypts to {@code ""}, as in SOPS.
 */
final class SopsValueCipher {
    private static final Pattern ENC = Pattern.compile("^ENC\\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)]");

    private SopsValueCipher() {
    }

    /** A decrypted comment (dotenv {@code #ENC[...]} lines). */
    record Comment(String value) {
    }

    /** @return whether {@code value} has the {@code ENC[AES256_GCM,...]} form */
    static boolean isEncrypted(String value) {
        return ENC.matcher(value).find();
    }

    /**
     * @param value          the stored value
     * @param key            the data key
     * @param additionalData the key path, {@code a:b:c:}
     * @return String (or byte[] when a {@code str} is not valid UTF-8), Integer/Long, Double, Boolean or
     * {@link Comment}
     * @throws SopsException naming the path when the value is not in SOPS's format, fails authentication (wrong
     *                       data key or tampered value) or does not parse as its type; never includes the value
     */
    static Object decrypt(String value, byte[] key, String additionalData) throws SopsException {
        if (value.isEmpty()) {
            return "";
        }
        Matcher m = ENC.matcher(value);
        if (!m.find()) {
            throw new SopsException("value at '" + additionalData + "' is not encrypted in SOPS's format "
                    + "(ENC[AES256_GCM,...]) although the file's rules say it should be");
        }
        byte[] plain;
        try {
            Base64.Decoder b64 = Base64.getDecoder();
            byte[] data = b64.decode(m.group(1));
            byte[] iv = b64.decode(m.group(2));
            byte[] tag = b64.decode(m.group(3));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(tag.length * 8, iv));
            cipher.updateAAD(additionalData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = new byte[data.length + tag.length];
            System.arraycopy(data, 0, sealed, 0, data.length);
            System.arraycopy(tag, 0, sealed, data.length, tag.length);
            plain = cipher.doFinal(sealed);
        } catch (IllegalArgumentException e) {
            throw new SopsException("value at '" + additionalData + "' has malformed base64");
        } catch (GeneralSecurityException e) {
            throw new SopsException("value at '" + additionalData + "' does not authenticate with the data key "
                    + "(AES-GCM: the value or its key path was changed after encryption)");
        }
        String type = m.group(4);
        String text = new String(plain, StandardCharsets.UTF_8);
        try {
            return switch (type) {
                case "str" -> utf8OrBytes(plain);
                case "int", "int64" -> narrow(Long.parseLong(text));
                case "float" -> Double.parseDouble(text);
                case "bytes" -> plain;
                case "bool" -> parseBool(text, additionalData);
                case "comment" -> new Comment(text);
                default -> throw new SopsException("value at '" + additionalData + "' has unknown type '" + type + "'");
            };
        } catch (NumberFormatException e) {
            throw new SopsException("value at '" + additionalData + "' is not a valid " + type);
        }
    }

    private static Object utf8OrBytes(byte[] plain) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(plain)).toString();
        } catch (CharacterCodingException e) {
            return plain;
        }
    }

    private static Object narrow(long v) {
        return v == (int) v ? Integer.valueOf((int) v) : Long.valueOf(v);
    }

    /** Go's {@code strconv.ParseBool}. */
    private static Boolean parseBool(String text, String path) throws SopsException {
        return switch (text) {
            case "1", "t", "T", "TRUE", "true", "True" -> Boolean.TRUE;
            case "0", "f", "F", "FALSE", "false", "False" -> Boolean.FALSE;
            default -> throw new SopsException("value at '" + path + "' is not a valid bool");
        };
    }
}
