/**
 * Flux's API as Java types, shared by every Conflux service: the custom resources
 * ({@code source.toolkit.fluxcd.io}, {@code kustomize.toolkit.fluxcd.io}, {@code helm.toolkit.fluxcd.io},
 * {@code notification.toolkit.fluxcd.io}), the event shape of {@code github.com/fluxcd/pkg/apis/event},
 * and the JSON records carried on Conflux's Kafka topics.
 *
 * <p>Types are read at the storage version of each CRD (the newest); older versions are served by the
 * API server with conversion strategy None, as Flux's CRDs do. Unknown fields are ignored on read.
 */
package io.conflux.model;
