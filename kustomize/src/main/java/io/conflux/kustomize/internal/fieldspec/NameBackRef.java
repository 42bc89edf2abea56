package io.conflux.kustomize.internal.fieldspec;

import io.conflux.kustomize.internal.resource.Gvk;
import java.util.List;

/**
 * One nameReference entry: objects of the referral gvk are referred to by name from the fields
 * listed (follows api/internal/plugins/builtinconfig/namebackreferences.go).
 */
public record NameBackRef(Gvk gvk, List<FieldSpec> referrers) {}
