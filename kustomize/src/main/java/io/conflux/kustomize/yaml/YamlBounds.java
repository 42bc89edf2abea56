package io.conflux.kustomize.yaml;

import io.conflux.kustomize.BuildCancelledException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.LoadSettingsBuilder;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * The bounds on YAML read from tenants' input — the one place that defines them for every reader of YAML in
 * Conflux (kustomize files, Helm values, charts and repository indexes, SOPS files). A stream beyond a bound is
 * refused with a {@link YamlBoundException} before it costs more than its own size, instead of running out of memory
 * or stack.
 *
 * <p>Aliases follow go-yaml v3 (decode.go, which kustomize's kyaml and sigs.k8s.io/yaml use): every node of the
 * document as it would be expanded is counted, and once more than 100 of more than 1,000 come from aliases, their
 * share may not exceed 99% for documents up to 400,000 nodes, falling linearly to 10% at 4,000,000 nodes; beyond,
 * {@code excessive aliasing}. A 9×9 "billion laughs" fails after a few thousand nodes, while real documents (a
 * values file reusing a block with {@code *anchor}) pass. An alias to an anchor whose node is still open (a node
 * containing itself) is refused as go-yaml refuses it. SnakeYAML's own {@code maxAliasesForCollections},
 * {@code codePointLimit} (per document) and {@code allowRecursiveKeys=false} are set too.
 *
 * <p>Nesting is bounded because SnakeYAML composes and constructs recursively (without a bound 10,000 levels end in a
 * {@link StackOverflowError}); go-yaml's parser stops at 10,000, Jackson's default for JSON is 1,000, and the bound
 * here is below both so that a document embedded in JSON (bundles, Kafka records) stays readable there.
 *
 * <p>Every 1,024 parser events the reader checks for interruption ({@link BuildCancelledException#checkpoint}), so a
 * build that timed out stops inside a large file too.
 *
 * @param maxStreamChars        the largest stream, in UTF-16 chars of its text
 * @param maxDocumentCodePoints the largest document of a stream, in code points (SnakeYAML's {@code codePointLimit})
 * @param maxDocuments          the most documents in one stream, empty ones included
 * @param maxDepth              the deepest nesting of mappings and sequences
 * @param maxAliases            the most aliases in one document (SnakeYAML's {@code maxAliasesForCollections})
 */
public record YamlBounds(long maxStreamChars, int maxDocumentCodePoints, int maxDocuments, int maxDepth,
                         int maxAliases) {

  /**
   * Kubernetes manifests, kustomization files, Helm values, chart files, SOPS files: 32 MiB per file. One object
   * cannot exceed etcd's request limit (1.5 MiB), the largest public CRDs are a few MiB and multi-document install
   * manifests (Flux's {@code gotk-components.yaml}, cert-manager, Prometheus operator bundles) stay under 10 MiB,
   * so 32 MiB leaves room; 100,000 documents; depth 500 (CRD schemas, the deepest real objects, stay under 100).
   */
  public static final YamlBounds MANIFESTS = new YamlBounds(32L << 20, 32 << 20, 100_000, 500, 10_000);

  /**
   * Helm repository indexes ({@code index.yaml}): 256 MiB. They list every version of every chart; the largest
   * public ones (Bitnami's before it was trimmed) reached tens of MiB in one document.
   */
  public static final YamlBounds REPOSITORY_INDEX = new YamlBounds(256L << 20, 256 << 20, 10, 500, 10_000);

  /** go-yaml's alias_ratio_range_low and _high: decode counts between which the allowed alias share falls. */
  private static final long RATIO_LOW = 400_000;
  private static final long RATIO_HIGH = 4_000_000;
  /** How often (in parser events) the reader looks for interruption. */
  private static final int CHECKPOINT_EVERY = 1024;

  /**
   * Load settings with these bounds applied; callers add their schema and other options.
   *
   * @param label the input's name, as SnakeYAML puts it in marks (e.g. {@code base/kustomization.yaml})
   */
  public LoadSettingsBuilder settings(String label) {
    return LoadSettings.builder()
        .setLabel(label)
        .setCodePointLimit(maxDocumentCodePoints)
        .setMaxAliasesForCollections(maxAliases)
        .setAllowRecursiveKeys(false);
  }

  /**
   * All documents of a stream, loaded lazily (as {@code Load.loadAllFromString}) within these bounds.
   *
   * @param settings from {@link #settings(String)}
   * @throws YamlBoundException when a bound is exceeded (thrown by the iterator for all but the stream size);
   *     SnakeYAML's exceptions for syntax errors
   */
  public Iterable<Object> loadAll(LoadSettings settings, String text) {
    return loadAll(settings, text, true);
  }

  /**
   * As {@link #loadAll(LoadSettings, String)}; with {@code cancellable} false the reader never checks for
   * interruption, for Conflux's own built-in files read once per process (a class initializer interrupted half-way
   * would leave its class unusable).
   */
  public Iterable<Object> loadAll(LoadSettings settings, String text, boolean cancellable) {
    checkSize(text);
    Composer composer = composer(settings, text, cancellable);
    StandardConstructor constructor = new StandardConstructor(settings);
    return () -> new Iterator<>() {
      @Override
      public boolean hasNext() {
        return composer.hasNext();
      }

      @Override
      public Object next() {
        return constructor.constructSingleDocument(Optional.of(composer.next()));
      }
    };
  }

  /**
   * The single document of a stream (null when empty), loaded within these bounds.
   *
   * @throws YamlBoundException when a bound is exceeded; SnakeYAML's exceptions for syntax errors (also when the
   *     stream holds more than one document)
   */
  public Object load(LoadSettings settings, String text) {
    checkSize(text);
    return new StandardConstructor(settings).constructSingleDocument(composer(settings, text, true).getSingleNode());
  }

  /**
   * The node graphs of all documents of a stream (aliases are shared nodes, never expanded), composed within these
   * bounds and checking for interruption as {@link #loadAll(LoadSettings, String)} does, for checks that work on nodes
   * (e.g. {@link DuplicateKeys}).
   *
   * @param settings from {@link #settings(String)}
   * @throws YamlBoundException when a bound is exceeded; SnakeYAML's exceptions for syntax errors
   */
  public Iterable<Node> composeAll(LoadSettings settings, String text) {
    checkSize(text);
    Composer composer = composer(settings, text, true);
    return () -> composer;
  }

  /** SnakeYAML's composer reading through a {@link BoundedParser}. */
  private Composer composer(LoadSettings settings, String text, boolean cancellable) {
    return new Composer(settings, new BoundedParser(new ParserImpl(settings, new StreamReader(settings, text)),
        settings.getLabel(), cancellable));
  }

  private void checkSize(String text) {
    if (text.length() > maxStreamChars) {
      throw new YamlBoundException("input of " + text.length() + " characters exceeds the bound of "
          + maxStreamChars, Optional.empty());
    }
  }

  /** go-yaml v3's allowedAliasRatio: the share of alias-driven nodes allowed after {@code decodeCount} nodes. */
  static double allowedAliasRatio(long decodeCount) {
    if (decodeCount <= RATIO_LOW) {
      return 0.99;
    }
    if (decodeCount >= RATIO_HIGH) {
      return 0.10;
    }
    return 0.99 - 0.89 * ((double) (decodeCount - RATIO_LOW) / (RATIO_HIGH - RATIO_LOW));
  }

  /**
   * Counts what the composer is about to build, one event at a time, and fails at the first event beyond a bound:
   * the open collections (depth), the documents, and per document the nodes as expanded (go-yaml's decodeCount)
   * and those coming from aliases (its aliasCount), from the expanded size of each anchored node.
   */
  private final class BoundedParser implements Parser {
    private final Parser parser;
    private final String label;
    private final boolean cancellable;
    /** Expanded node counts of the open collections, innermost first, with their anchors. */
    private final Deque<Open> open = new ArrayDeque<>();
    /** Expanded size of each anchored node of the current document. */
    private final Map<Anchor, Long> anchored = new HashMap<>();
    private long decodeCount;
    private long aliasCount;
    private int aliases;
    private int documents;
    private long events;

    BoundedParser(Parser parser, String label, boolean cancellable) {
      this.parser = parser;
      this.label = label;
      this.cancellable = cancellable;
    }

    @Override
    public boolean checkEvent(Event.ID choice) {
      return parser.checkEvent(choice);
    }

    @Override
    public Event peekEvent() {
      return parser.peekEvent();
    }

    @Override
    public boolean hasNext() {
      return parser.hasNext();
    }

    @Override
    public Event next() {
      Event event = parser.next();
      if (++events % CHECKPOINT_EVERY == 0 && cancellable) {
        BuildCancelledException.checkpoint(label);
      }
      switch (event.getEventId()) {
        case DocumentStart -> startDocument(event);
        case MappingStart, SequenceStart -> {
          if (open.size() >= maxDepth) {
            throw fail("nesting deeper than " + maxDepth + " levels", event);
          }
          decodeCount++;
          open.push(new Open(((NodeEvent) event).getAnchor().orElse(null)));
        }
        case MappingEnd, SequenceEnd -> {
          Open done = open.pop();
          if (done.anchor != null) {
            anchored.put(done.anchor, done.size);
          }
          add(done.size);
        }
        case Scalar -> {
          decodeCount++;
          ((NodeEvent) event).getAnchor().ifPresent(a -> anchored.put(a, 1L));
          add(1);
        }
        case Alias -> alias((AliasEvent) event);
        default -> { }
      }
      return event;
    }

    private void startDocument(Event event) {
      if (++documents > maxDocuments) {
        throw fail("more than " + maxDocuments + " documents", event);
      }
      anchored.clear();
      decodeCount = 0;
      aliasCount = 0;
      aliases = 0;
    }

    private void alias(AliasEvent event) {
      Anchor anchor = event.getAlias();
      for (Open o : open) {
        if (anchor.equals(o.anchor)) {
          throw fail("anchor '" + anchor.getValue() + "' value contains itself", event);
        }
      }
      if (++aliases > maxAliases) {
        throw fail("excessive aliasing: more than " + maxAliases + " aliases", event);
      }
      Long size = anchored.get(anchor);
      if (size == null) {
        return; // an unknown anchor: the composer reports it
      }
      decodeCount = saturatedAdd(decodeCount, size);
      aliasCount = saturatedAdd(aliasCount, size);
      add(size);
      if (aliasCount > 100 && decodeCount > 1000
          && (double) aliasCount / decodeCount > allowedAliasRatio(decodeCount)) {
        throw fail("excessive aliasing: aliases expand to " + aliasCount + " of the document's " + decodeCount
            + " nodes", event);
      }
    }

    private void add(long size) {
      Open parent = open.peek();
      if (parent != null) {
        parent.size = saturatedAdd(parent.size, size);
      }
    }

    private static long saturatedAdd(long a, long b) {
      long r = a + b;
      return r < 0 ? Long.MAX_VALUE : r;
    }

    private YamlBoundException fail(String problem, Event event) {
      Optional<Mark> mark = event.getStartMark();
      return new YamlBoundException(problem, mark);
    }
  }

  /** An open collection: its anchor (or null) and its expanded node count so far, itself included. */
  private static final class Open {
    private final Anchor anchor;
    private long size = 1;

    Open(Anchor anchor) {
      this.anchor = anchor;
    }
  }
}
