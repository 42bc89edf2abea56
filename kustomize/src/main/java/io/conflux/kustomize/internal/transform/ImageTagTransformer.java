package io.conflux.kustomize.internal.transform;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.conflux.kustomize.KustomizeException;

import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.fieldspec.FieldSpec;
import io.conflux.kustomize.internal.fieldspec.FieldWalker;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import java.util.List;
import java.util.Map;

/**
 * Rewrites container images matching {@code name}: new name, tag and/or digest (follows
 * plugin/builtin/imagetagtransformer: api/filters/imagetag LegacyFilter on every
 * {@code containers}/{@code initContainers} list, then the images field specs).
 */
public record ImageTagTransformer(String name, String newName, String newTag, String digest,
    List<FieldSpec> fieldSpecs) implements Transformer {

  /** Reads an {@code images} entry. */
  public static ImageTagTransformer of(Map<String, Object> image, List<FieldSpec> fieldSpecs) {
    return new ImageTagTransformer(JsonTrees.string(image, "name"), JsonTrees.string(image, "newName"),
        JsonTrees.string(image, "newTag"), JsonTrees.string(image, "digest"), fieldSpecs);
  }

  private Pattern namePattern() {
    try {
      return Pattern.compile("^" + name + "(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$");
    } catch (PatternSyntaxException e) {
      throw new KustomizeException("images: invalid name '" + name + "': " + e.getDescription(), e);
    }
  }

  @Override
  public void transform(ResMap m) {
    for (Resource r : m.resources()) {
      legacy(r.object());
      for (FieldSpec fs : fieldSpecs) {
        FieldWalker.walk(r.object(), r.gvk(), fs, FieldWalker.CreateKind.NONE, slot -> {
          if (slot.get() instanceof String s) {
            slot.set(update(s));
          }
        });
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void legacy(Object node) {
    if (node instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String k = String.valueOf(e.getKey());
        if ((k.equals("containers") || k.equals("initContainers")) && e.getValue() instanceof List<?> l) {
          for (Object c : l) {
            if (c instanceof Map<?, ?> cm && cm.get("image") instanceof String img) {
              ((Map<String, Object>) cm).put("image", update(img));
            }
          }
        }
        legacy(e.getValue());
      }
    } else if (node instanceof List<?> l) {
      for (Object o : l) {
        legacy(o);
      }
    }
  }

  /**
   * The new image reference for {@code image}, or it unchanged when its name does not match. The entry's {@code name}
   * is a regular expression, as kustomize's Go {@code regexp}: matched with RE2 (RE2/J), in linear time, so a tenant's
   * name such as {@code (.*a){12}} cannot stall the build.
   *
   * @throws KustomizeException when {@code name} is not a valid expression (kustomize fails the build too)
   */
  String update(String image) {
    if (name == null || !namePattern().matcher(image).matches()) {
      return image;
    }
    String[] parts = split(image);
    String n = parts[0];
    String tag = parts[1];
    String dig = parts[2];
    if (newName != null && !newName.isEmpty()) {
      n = newName;
    }
    boolean hasTag = newTag != null && !newTag.isEmpty();
    boolean hasDigest = digest != null && !digest.isEmpty();
    if (hasTag && hasDigest) {
      tag = newTag;
      dig = digest;
    } else if (hasTag) {
      tag = newTag;
      dig = "";
    } else if (hasDigest) {
      tag = "";
      dig = digest;
    }
    if (!tag.isEmpty()) {
      n += ":" + tag;
    }
    if (!dig.isEmpty()) {
      n += "@" + dig;
    }
    return n;
  }

  /** Splits an image into name, tag and digest (api/image.Split). */
  static String[] split(String image) {
    int slash = image.indexOf('/');
    String search = image;
    if (slash > 0) {
      search = image.substring(slash);
    } else {
      slash = 0;
    }
    int id = search.indexOf('@');
    int ic = search.indexOf(':');
    if (ic < 0 && id < 0) {
      return new String[] {image, "", ""};
    }
    if (id >= 0 && (id < ic || ic < 0)) {
      id += slash;
      return new String[] {image.substring(0, id), "", image.substring(id + 1)};
    }
    if (id >= 0) {
      id += slash;
      ic += slash;
      return new String[] {image.substring(0, ic), image.substring(ic + 1, id), image.substring(id + 1)};
    }
    ic += slash;
    return new String[] {image.substring(0, ic), image.substring(ic + 1), ""};
  }
}
