package dev.runbookbot.flinkpeer;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * Scheme "s3" over a local folder: s3://bucket/key is ROOT/bucket/key. Faults: "s3-403" makes
 * every file creation (a PUT) fail as S3A reports a denied PUT (java.nio.file.AccessDeniedException
 * "... (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; ...)"); "s3-slow" makes
 * every upload slow (closing a file takes a per-file latency plus its bytes at a capped rate).
 */
public class LocalS3FileSystem extends LocalFileSystem {
    private final URI uri;
    private final File root;
    private final long slowFileMs;
    private final long slowBytesPerSecond;

    public LocalS3FileSystem(URI uri, File root, long slowFileMs, long slowBytesPerSecond) {
        this.uri = URI.create("s3://" + (uri.getAuthority() == null ? "" : uri.getAuthority()) + "/");
        this.root = root;
        this.slowFileMs = slowFileMs;
        this.slowBytesPerSecond = slowBytesPerSecond;
    }

    private Path local(Path path) {
        URI u = path.toUri();
        String bucket = u.getAuthority() == null ? uri.getAuthority() : u.getAuthority();
        String key = u.getPath() == null ? "" : u.getPath();
        return new Path(new File(new File(root, bucket == null ? "" : bucket), key).toURI());
    }

    private static String key(Path path) {
        String p = path.toUri().getPath();
        return p != null && p.startsWith("/") ? p.substring(1) : String.valueOf(p);
    }

    @Override
    public URI getUri() {
        return uri;
    }

    @Override
    public Path getWorkingDirectory() {
        return new Path(uri);
    }

    @Override
    public Path getHomeDirectory() {
        return new Path(uri);
    }

    @Override
    public boolean isDistributedFS() {
        return true;
    }

    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        return super.getFileStatus(local(f));
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        return super.open(local(f), bufferSize);
    }

    @Override
    public FSDataInputStream open(Path f) throws IOException {
        return super.open(local(f));
    }

    @Override
    public boolean exists(Path f) throws IOException {
        return super.exists(local(f));
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
        return super.listStatus(local(f));
    }

    @Override
    public boolean delete(Path f, boolean recursive) throws IOException {
        return super.delete(local(f), recursive);
    }

    @Override
    public boolean mkdirs(Path f) throws IOException {
        return super.mkdirs(local(f));
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        return super.rename(local(src), local(dst));
    }

    @Override
    public FSDataOutputStream create(Path f, WriteMode overwrite) throws IOException {
        if (Faults.on(Faults.S3_403)) throw accessDenied(f);
        FSDataOutputStream out = super.create(local(f), overwrite);
        if (!Faults.on(Faults.S3_SLOW)) return out;
        return new ThrottledOutputStream(out, slowFileMs, slowBytesPerSecond);
    }

    /** The exception S3A's translateException makes of a 403 on a PUT. */
    static AccessDeniedException accessDenied(Path f) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String requestId = Long.toHexString(r.nextLong()).toUpperCase();
        String extended = java.util.Base64.getEncoder().encodeToString(Long.toString(r.nextLong()).getBytes()) + "=";
        String reason =
                "PUT object on "
                        + key(f)
                        + ": com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: "
                        + requestId
                        + "; S3 Extended Request ID: "
                        + extended
                        + "; Proxy: null), S3 Extended Request ID: "
                        + extended
                        + ":AccessDenied";
        return new AccessDeniedException(f.toString(), null, reason);
    }

    static void sleep(long ms) throws IOException {
        if (ms <= 0) return;
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted during a slow s3 write");
        }
    }

    /**
     * Uploads on close, as S3A does: close() takes the per-file latency plus the bytes written at
     * bytesPerSecond (S3 throttling or a slow network).
     */
    static final class ThrottledOutputStream extends FSDataOutputStream {
        private final FSDataOutputStream out;
        private final long fileMs;
        private final long bytesPerSecond;
        private long written;

        ThrottledOutputStream(FSDataOutputStream out, long fileMs, long bytesPerSecond) {
            this.out = out;
            this.fileMs = fileMs;
            this.bytesPerSecond = Math.max(1, bytesPerSecond);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            written += len;
        }

        @Override
        public long getPos() throws IOException {
            return out.getPos();
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void sync() throws IOException {
            out.sync();
        }

        @Override
        public void close() throws IOException {
            try {
                sleep(fileMs + written * 1000L / bytesPerSecond);
            } finally {
                out.close();
            }
        }
    }
}
