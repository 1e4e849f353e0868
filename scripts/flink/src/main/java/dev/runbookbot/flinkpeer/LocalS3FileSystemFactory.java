package dev.runbookbot.flinkpeer;

import java.io.File;
import java.net.URI;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;

/** Serves scheme "s3" from a local folder (registered in META-INF/services). */
public class LocalS3FileSystemFactory implements FileSystemFactory {
    /** Set by FlinkPeer before the cluster starts. */
    static volatile File root = new File(System.getProperty("java.io.tmpdir"), "flink-peer-s3");
    static volatile long slowFileMs = 1500;
    static volatile long slowBytesPerSecond = 64 * 1024;

    @Override
    public String getScheme() {
        return "s3";
    }

    @Override
    public FileSystem create(URI fsUri) {
        return new LocalS3FileSystem(fsUri, root, slowFileMs, slowBytesPerSecond);
    }
}
