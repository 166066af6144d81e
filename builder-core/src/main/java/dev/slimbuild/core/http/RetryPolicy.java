package dev.slimbuild.core.http;

import java.io.InterruptedIOException;
import java.time.Duration;

/**
 * The one retry and redirect policy of slimbuild's HTTP traffic (registries and {@code ADD <URL>}):
 * how many times a request is tried, how long to wait between tries, which statuses are worth
 * another try, and how many redirects are followed.
 *
 * @param attempts tries per request. Eight: through a network that fails one request in five, four
 *     tries lose about one request in 600 (a build makes dozens), eight about one in 400,000
 * @param unreachableAttempts tries while no connection can be made at all (refused, unknown host,
 *     proxy down): a server that is not there is not there eight times over, and the user waits for
 *     each
 * @param firstDelay the wait after the first failed try, doubled after each further one
 * @param maxDelay the longest wait between two tries
 * @param maxRedirects redirects followed before the last 3xx becomes the answer (Go's client, which
 *     docker and buildah use, follows ten)
 */
public record RetryPolicy(
    int attempts,
    int unreachableAttempts,
    Duration firstDelay,
    Duration maxDelay,
    int maxRedirects) {
  /** 8 tries (4 while unreachable), 100 ms doubling to at most 2 s between them, 10 redirects. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(8, 4, Duration.ofMillis(100), Duration.ofSeconds(2), 10);

  public RetryPolicy {
    if (attempts < 1
        || unreachableAttempts < 1
        || firstDelay.isNegative()
        || maxDelay.compareTo(firstDelay) < 0
        || maxRedirects < 0) {
      throw new IllegalArgumentException("invalid retry policy");
    }
  }

  /** This policy with {@code n} tries (at most) and {@code delay} as the first wait. */
  public RetryPolicy with(int n, Duration delay) {
    return new RetryPolicy(
        n,
        unreachableAttempts, // another() takes the smaller of the two
        delay,
        delay.compareTo(maxDelay) > 0 ? delay : maxDelay,
        maxRedirects);
  }

  /** Whether try number {@code attempt} (from 1) that failed may be followed by another. */
  public boolean another(int attempt, boolean unreachable) {
    return attempt < (unreachable ? Math.min(attempts, unreachableAttempts) : attempts);
  }

  /** Whether an answer with {@code status} is worth another try: 5xx, and 429 Too Many Requests. */
  public static boolean retryableStatus(int status) {
    return status >= 500 || status == 429;
  }

  /**
   * Waits before try number {@code attempt + 1}: 100, 200, 400, 800, 1600, then 2000 ms with the
   * default, about 7 s of waiting in all.
   */
  public void backoff(int attempt) throws InterruptedIOException {
    long first = firstDelay.toMillis();
    long millis = Math.min(maxDelay.toMillis(), first << Math.min(Math.max(attempt - 1, 0), 20));
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to retry");
    }
  }
}
