/** Static text of the firehose-delivery-failure runbook, beside its logic: the seed's snippets (the S3 access policy). */
export function iamPolicyDocument(bucketArn: string): string {
  return JSON.stringify(
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
          Resource: `${bucketArn}/*`,
        },
        {
          Effect: "Allow",
          Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
          Resource: bucketArn,
        },
      ],
    },
    null,
    2,
  );
}
