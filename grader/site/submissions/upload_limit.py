"""Uploads bounded while they arrive: past MAX_UPLOAD_BYTES in all, the rest is not read.

Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE) skip file parts, which it spools to disk
whatever their size; this handler runs first and stops the upload. The view then sees files
missing and says the upload was too big. The rest of the body is read and dropped rather than
the connection reset, so the client gets that reason; waitress bounds how much that can be, as it
refuses (413) a request body well past the limit (serve.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class UploadLimit(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.total = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.total = 0
        if content_length and content_length > settings.MAX_UPLOAD_BYTES + 64 * 1024:
            if self.request is not None:
                self.request.upload_refused_size = content_length
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        if self.total > settings.MAX_UPLOAD_BYTES:
            if self.request is not None:
                self.request.upload_refused_size = self.total
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
